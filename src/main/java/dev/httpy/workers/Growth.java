package dev.httpy.workers;

import java.time.Duration;
import java.util.Collection;
import java.util.function.LongSupplier;

/**
 * When an elastic pool adds workers, how many, and when an added one ends.
 *
 * <p>Tasks that wait while every worker has been inside a task for {@link TurnTaking#STUCK_NANOS}
 * (waiting with the GIL released, on {@code time.sleep} or a database, or just slow) get a worker
 * each, at once, up to {@code max}: 200 requests that each sleep need 200 workers, not 200 times
 * 2 ms. A worker beyond the warm ones ends once it has gone {@code retireAfter} without a task.
 *
 * <p>This class owns no threads and starts none: the pool asks it and acts. The time it compares
 * {@link TurnTaking.Taker#inTaskSince} and idle times with comes from the clock it is given.
 */
final class Growth {
    private final int max;
    private final long retireAfterNanos;
    private final LongSupplier clock;

    Growth(int max, Duration retireAfter, LongSupplier clock) {
        this.max = max;
        this.retireAfterNanos = retireAfter.toNanos();
        this.clock = clock;
    }

    /**
     * How many workers to add for {@code waiting} tasks: as many as wait, up to {@code max} in
     * all, when every one of {@code workers} is stuck in a task; otherwise none.
     */
    int workersToAdd(Collection<? extends TurnTaking.Taker> workers, int waiting) {
        long now = clock.getAsLong();
        for (TurnTaking.Taker worker : workers) {
            long since = worker.inTaskSince();
            if (since == 0 || now - since < TurnTaking.STUCK_NANOS) {
                return 0;
            }
        }
        return Math.max(0, Math.min(waiting, max - workers.size()));
    }

    /** How much longer an added worker idle since {@code idleSince} waits for a task before it ends. */
    long waitBeforeRetiring(long idleSince) {
        return idleSince + retireAfterNanos - clock.getAsLong();
    }

    /** Whether an added worker idle since {@code idleSince} ends now. */
    boolean retires(long idleSince) {
        return clock.getAsLong() - idleSince >= retireAfterNanos;
    }
}
