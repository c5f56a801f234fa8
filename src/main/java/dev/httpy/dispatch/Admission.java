package dev.httpy.dispatch;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Which requests a dispatcher has taken and not answered yet, and whether it takes more: a live
 * reload or a max-requests replacement retires a dispatcher, which then takes none (they go to the
 * one that replaced it) and waits for those it took. One counter, with a bit that says retired, so
 * that a request is never taken by a dispatcher that has begun retiring.
 */
final class Admission {
    /** Set in {@link #admitted} once retiring began. */
    private static final long RETIRED = 1L << 62;
    private static final long POLL_NANOS = 20_000_000;

    private final AtomicLong admitted = new AtomicLong();

    /** Takes a request, which {@link #leave} lets go; false once retiring began. */
    boolean admit() {
        if ((admitted.incrementAndGet() & RETIRED) != 0) {
            admitted.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A taken request was answered, or needs no answer from here. */
    void leave() {
        admitted.decrementAndGet();
    }

    /**
     * Takes no more and waits, at most {@code limit} and while {@code keepWaiting} says so, until
     * every taken request has left; true if they all did.
     */
    boolean retire(Duration limit, BooleanSupplier keepWaiting) {
        admitted.getAndUpdate(count -> count | RETIRED); // once, however often it is called
        long deadline = System.nanoTime() + limit.toNanos();
        while (inFlight() > 0) {
            if (System.nanoTime() - deadline >= 0 || !keepWaiting.getAsBoolean()) {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    /** Requests taken and not let go yet. */
    long inFlight() {
        return admitted.get() & ~RETIRED;
    }
}
