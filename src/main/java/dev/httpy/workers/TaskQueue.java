package dev.httpy.workers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tasks a {@link PythonWorkers} pool has accepted and no worker has taken yet: one bounded
 * queue any worker may take from, and for each worker the tasks pinned to it.
 *
 * <p>A worker {@linkplain #join joins} and gets an {@link Inbox}: its pinned tasks and the
 * condition it waits on, so a task wakes exactly one worker, the one that began waiting last (the
 * others stay idle and, beyond the pool's warm workers, end). {@link #take} gives a worker its
 * pinned tasks before the queued ones. A task that continues an accepted request goes ahead of the
 * queue and is never refused for a full one; a new task is refused when the queue is full. After
 * {@link #close} every task is refused, and {@code close} hands back the waiting ones to abandon.
 *
 * <p>One lock guards it all; {@link #queued} and {@link #waiting} read without it. This class owns
 * no threads and never calls a task: what is to be abandoned is returned to the caller.
 */
final class TaskQueue {

    /** A worker's place: the tasks only it may run, and the condition it waits on when idle. */
    final class Inbox {
        private final Condition wake = lock.newCondition();
        private final ArrayDeque<PythonTask> pinned = new ArrayDeque<>();
        /** Waiting in {@link #take}, and in {@link #idle}. */
        private boolean idling;
        /** Takes no more tasks: it has {@linkplain #leave left}. */
        private boolean gone;

        private Inbox() {
        }
    }

    /** What {@link #offer} did with a task. */
    enum Offer {
        /** Refused: the queue is full or closed. */
        REFUSED,
        /** Queued, and an idle worker woken to take it. */
        WOKE_IDLE_WORKER,
        /** Queued, with no idle worker to take it. */
        NO_IDLE_WORKER
    }

    /** What {@link #pin} did with a task. */
    enum Pin {
        /** Waits for its worker. */
        PINNED,
        /** Refused: the queue is closed. */
        REFUSED,
        /** Its worker has left, or there is none: the caller abandons the task. */
        WORKER_GONE
    }

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<PythonTask> queue = new ArrayDeque<>();
    /** Workers waiting for a task, the last to arrive first. */
    private final ArrayDeque<Inbox> idle = new ArrayDeque<>();
    /** Every inbox that has not left: their pinned tasks are abandoned at close. */
    private final Set<Inbox> inboxes = new LinkedHashSet<>();
    /** {@code queue.size()}, for reading without the lock. */
    private volatile int queuedShared;
    /** Tasks waiting in inboxes, for reading without the lock. */
    private volatile int queuedPinned;
    private volatile boolean closed;

    TaskQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a task queue of " + capacity + ": give at least 1");
        }
        this.capacity = capacity;
    }

    /** A new worker's inbox. */
    Inbox join() {
        lock.lock();
        try {
            var inbox = new Inbox();
            inboxes.add(inbox);
            return inbox;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a task for any worker: last, unless it {@code continues} an accepted request, which
     * goes first and is not refused for a full queue.
     */
    Offer offer(PythonTask task, boolean continues) {
        lock.lock();
        try {
            if (closed || (!continues && queue.size() >= capacity)) {
                return Offer.REFUSED;
            }
            if (continues) {
                queue.addFirst(task);
            } else {
                queue.addLast(task);
            }
            queuedShared = queue.size();
            Inbox worker = idle.pollFirst();
            if (worker == null) {
                return Offer.NO_IDLE_WORKER;
            }
            worker.idling = false;
            worker.wake.signal();
            return Offer.WOKE_IDLE_WORKER;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a task that only {@code owner} may run (null: no worker has it), ahead of the shared
     * queue and whatever its size.
     */
    Pin pin(PythonTask task, Inbox owner) {
        lock.lock();
        try {
            if (closed) {
                return Pin.REFUSED;
            }
            if (owner == null || owner.gone) {
                return Pin.WORKER_GONE;
            }
            owner.pinned.addLast(task);
            queuedPinned++;
            if (owner.idling) {
                owner.idling = false;
                idle.remove(owner);
                owner.wake.signal();
            }
            return Pin.PINNED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next task for {@code me}, its pinned ones first, waiting up to {@code timeoutNanos}
     * (0: not at all) for one; null when none came or the queue is closed.
     */
    PythonTask take(Inbox me, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (true) {
                PythonTask task = me.pinned.pollFirst();
                if (task != null) {
                    queuedPinned--;
                    return task;
                }
                task = queue.pollFirst();
                if (task != null) {
                    queuedShared = queue.size();
                    return task;
                }
                if (closed || left <= 0) {
                    return null;
                }
                me.idling = true;
                idle.addFirst(me);
                try {
                    left = me.wake.awaitNanos(left);
                } finally {
                    if (me.idling) {
                        me.idling = false;
                        idle.remove(me);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code me} takes no more tasks: later pins to it find it gone. Returns the tasks pinned to
     * it that it never took, for the caller to abandon; none if it had left already.
     */
    List<PythonTask> leave(Inbox me) {
        lock.lock();
        try {
            if (me.gone) {
                return List.of();
            }
            me.gone = true;
            inboxes.remove(me);
            var left = new ArrayList<>(me.pinned);
            queuedPinned -= me.pinned.size();
            me.pinned.clear();
            return left;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses every task from now on, wakes the idle workers (their {@link #take} returns null)
     * and returns every waiting task, queued or pinned, for the caller to abandon.
     */
    List<PythonTask> close() {
        lock.lock();
        try {
            closed = true;
            var abandoned = new ArrayList<>(queue);
            queue.clear();
            queuedShared = 0;
            for (Inbox inbox : inboxes) {
                abandoned.addAll(inbox.pinned);
                inbox.pinned.clear();
            }
            queuedPinned = 0;
            for (Inbox inbox : idle) {
                inbox.idling = false;
                inbox.wake.signal();
            }
            idle.clear();
            return abandoned;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close} has been called. */
    boolean closed() {
        return closed;
    }

    /** Tasks waiting now, queued or pinned. */
    int capacity() {
        return capacity;
    }

    int queued() {
        return queuedShared + queuedPinned;
    }

    /** Tasks waiting now in the shared queue, for any worker. */
    int waiting() {
        return queuedShared;
    }
}
