package dev.httpy.asgi;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One trip at a time between Java and an ASGI event loop, from taking the loop's messages to
 * delivering the last of them: two trips on two workers could otherwise deliver out of order (a
 * body before its response's start, which the SSE runs once saw). A ring while a trip is under way
 * is never lost: the trip, once done, starts the next.
 */
final class Trips {
    /** A trip is queued or under way. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Something to carry arrived since the current trip began. */
    private volatile boolean again;
    /** Queues one trip, which calls {@link #done} (or {@link #abandoned}) at its end; false when it could not. */
    private final BooleanSupplier submit;

    Trips(BooleanSupplier submit) {
        this.submit = submit;
    }

    /** Something waits to be carried, in either direction: a trip will carry it. */
    void ring() {
        again = true;
        if (busy.compareAndSet(false, true)) {
            start();
        }
    }

    private void start() {
        again = false;
        if (!submit.getAsBoolean()) {
            busy.set(false); // the next ring tries again
        }
    }

    /** The trip delivered its last message: the next may start, at once if something arrived meanwhile. */
    void done() {
        busy.set(false);
        if (again && busy.compareAndSet(false, true)) {
            start();
        }
    }

    /** A trip is queued or under way. */
    boolean busy() {
        return busy.get();
    }

    /** The trip will never run (its workers stopped). */
    void abandoned() {
        busy.set(false);
    }
}
