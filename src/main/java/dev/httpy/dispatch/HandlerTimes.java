package dev.httpy.dispatch;

/**
 * How long one route's handler usually runs in Python: a moving average of the last few calls,
 * which decides whether a container thread may run it itself ({@link #isShort}). A route starts
 * unknown, so its first calls go to the workers; one long call (a handler that waited on I/O)
 * lifts the average far above the limit, and it takes dozens of short ones to bring it back.
 * Updated without locks: an estimate, not a count.
 */
public final class HandlerTimes {
    /**
     * Calls at most this long on average may run on the container thread: far above a hello
     * handler's tens of microseconds, so that a busy machine that preempts a thread mid-call does
     * not send short routes back to the workers, and far below a handler that waits on I/O.
     */
    static final long SHORT_NANOS = 5_000_000;
    /** Calls seen before the average is trusted. */
    static final int WARM_UP_CALLS = 8;

    private volatile long averageNanos;
    private volatile int calls;

    void record(long nanos) {
        int seen = calls;
        averageNanos = seen == 0 ? nanos : averageNanos + (nanos - averageNanos) / 8;
        if (seen < WARM_UP_CALLS) {
            calls = seen + 1;
        }
    }

    boolean isShort() {
        return calls >= WARM_UP_CALLS && averageNanos < SHORT_NANOS;
    }
}
