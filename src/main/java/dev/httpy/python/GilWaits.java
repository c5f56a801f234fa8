package dev.httpy.python;

import java.util.concurrent.atomic.LongAdder;

/**
 * How often threads took the GIL and how long they waited for it, added up: the time from asking
 * for it ({@code PyEval_RestoreThread}) to holding it. A wait that grows faster than the requests
 * means Python's threads queue for the one GIL: workers sharing it under load, or a request thread
 * on the fast path waiting for a worker's batch. Two {@code nanoTime} calls and two additions per
 * acquisition, lock-free.
 */
public final class GilWaits {
    private final LongAdder nanos = new LongAdder();
    private final LongAdder acquisitions = new LongAdder();

    /** A thread that asked for the GIL at {@code askedNanos} ({@code System.nanoTime()}) holds it now. */
    void took(long askedNanos) {
        nanos.add(System.nanoTime() - askedNanos);
        acquisitions.increment();
    }

    /** The waits added up, in milliseconds. */
    public double millis() {
        return nanos.sum() / 1e6;
    }

    /** How often the GIL was taken. */
    public long acquisitions() {
        return acquisitions.sum();
    }
}
