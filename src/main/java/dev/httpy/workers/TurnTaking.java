package dev.httpy.workers;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When workers that share one GIL take turns taking tasks, and whose turn it is.
 *
 * <p>While tasks are long (over {@link #TURNS_ON_NANOS} on average, as a Flask request is), one
 * worker, the primary, takes the tasks and waits for more; the others wait for a turn. Without
 * this, each worker would wait for the GIL with a task in hand, and almost every task would end by
 * passing the GIL to a thread that must first be woken and scheduled. Another worker joins only
 * when every worker taking tasks has been in its current one for {@link #STUCK_NANOS} (waiting with
 * the GIL released, on I/O or {@code time.sleep}, or just slow): then as many join as tasks wait,
 * each for one batch of the tasks already queued. Short tasks (a few microseconds of Python) go
 * faster with every worker taking them, so turns stop when the average falls under
 * {@link #TURNS_OFF_NANOS}, and every worker is a primary again.
 *
 * <p>This class owns no threads: the pool's workers wait in {@link #awaitTurn}, the pool reports
 * each task's duration to {@link #measured} and asks {@link #letOthersInIfStuck} while tasks wait.
 * The time it compares {@link Taker#inTaskSince} with comes from the clock it is given.
 */
final class TurnTaking {
    /** How long the workers taking tasks may all be in one task each before others join them. */
    static final long STUCK_NANOS = 2_000_000;
    /** Workers start taking turns when their tasks average more than this... */
    static final long TURNS_ON_NANOS = 40_000;
    /** ...and stop when they average less than this. */
    static final long TURNS_OFF_NANOS = 20_000;
    /** For {@link #awaitTurn}: wait as long as it takes. */
    static final long FOREVER = Long.MAX_VALUE;

    /** A worker as the policy sees it. */
    interface Taker {
        /** {@link System#nanoTime()} (or the policy's clock) when its current task started; 0 between tasks. */
        long inTaskSince();
    }

    /** What {@link #awaitTurn} gives a worker. */
    enum Turn {
        /** Take tasks, and wait for them when there are none. */
        PRIMARY,
        /** Take one batch of the tasks already queued, then ask again. */
        EXTRA,
        /** No turn: the wait timed out or the pool stops. */
        NONE
    }

    /** False for workers that never take turns: each with a GIL of its own, or only one of them. */
    private final boolean enabled;
    private final LongSupplier clock;
    /** Whether turns are on now: tasks are long. */
    private volatile boolean on;
    /** A moving average of how long tasks take; updated racily, as an estimate. */
    private volatile long averageTaskNanos;
    /** The worker that takes tasks without waiting for a turn; written with {@code this} locked. */
    private volatile Taker primary;
    /** Turns granted and not yet taken; guarded by {@code this}. */
    private int extraTurns;
    /** Workers waiting in {@link #awaitTurn}; guarded by {@code this}. */
    private int waiting;
    /** Set by {@link #stop}; guarded by {@code this}. */
    private boolean stopped;

    TurnTaking(boolean enabled, LongSupplier clock) {
        this.enabled = enabled;
        this.clock = clock;
    }

    /** Whether workers take turns now. */
    boolean on() {
        return on;
    }

    /**
     * Waits up to {@code timeoutNanos} (0: not at all; {@link #FOREVER}) for a turn. Without turns
     * every worker is a primary at once.
     */
    synchronized Turn awaitTurn(Taker me, long timeoutNanos) throws InterruptedException {
        if (!enabled) {
            return Turn.PRIMARY;
        }
        long deadline = System.nanoTime() + Math.min(timeoutNanos, Long.MAX_VALUE / 2);
        while (on && !stopped) {
            if (primary == null) {
                primary = me;
            }
            if (primary == me) {
                return Turn.PRIMARY;
            }
            if (extraTurns > 0) {
                extraTurns--;
                return Turn.EXTRA;
            }
            long left = timeoutNanos == FOREVER ? FOREVER : deadline - System.nanoTime();
            if (left <= 0) {
                return Turn.NONE;
            }
            waiting++;
            try {
                if (left == FOREVER) {
                    wait();
                } else {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } finally {
                waiting--;
            }
        }
        return stopped ? Turn.NONE : Turn.PRIMARY;
    }

    /** Adds a task's duration to the average and turns turn-taking on or off. */
    void measured(long taskNanos) {
        if (!enabled) {
            return;
        }
        long average = averageTaskNanos + (taskNanos - averageTaskNanos) / 16;
        averageTaskNanos = average;
        if (!on && average > TURNS_ON_NANOS) {
            on = true;
        } else if (on && average < TURNS_OFF_NANOS) {
            synchronized (this) {
                on = false;
                notifyAll();
            }
        }
    }

    /** A worker that stops: if it was the primary, a waiting worker becomes the primary. */
    synchronized void leave(Taker me) {
        if (primary == me) {
            primary = null;
            notifyAll();
        }
    }

    /**
     * When tasks wait and every worker taking them is in one for {@link #STUCK_NANOS} or more, lets
     * up to {@code queued} waiting workers take a batch each.
     *
     * @return how many it let in
     */
    int letOthersInIfStuck(Iterable<? extends Taker> takers, int queued) {
        if (!on || queued <= 0) {
            return 0;
        }
        long now = clock.getAsLong();
        for (Taker taker : takers) {
            long since = taker.inTaskSince();
            if (since == 0 ? taker == primary : now - since < STUCK_NANOS) {
                return 0; // it takes the next task soon
            }
        }
        synchronized (this) {
            int granted = Math.min(queued, waiting - extraTurns);
            if (granted <= 0) {
                return 0;
            }
            extraTurns += granted;
            if (granted == 1) {
                notify();
            } else {
                notifyAll();
            }
            return granted;
        }
    }

    /** Workers waiting for a turn now. */
    synchronized int waiting() {
        return waiting;
    }

    /** Ends every wait with {@link Turn#NONE}, now and later: the pool stops. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }
}
