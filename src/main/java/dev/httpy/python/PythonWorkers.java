package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of platform threads that run {@link PythonTask}s from one bounded queue.
 *
 * <p>Each thread makes its Python thread state once and keeps it (a thread state per call costs
 * 60-90 us); it takes the GIL when a task arrives and, while more tasks are waiting, runs them
 * before giving the GIL back (releasing it only briefly to answer each one), which saves the
 * wake-up of a waiting thread per request under load. A task that
 * overruns can be {@linkplain #interrupt interrupted}: a watchdog thread raises
 * {@code TimeoutError} in the worker running it.
 *
 * <p>Workers that share one GIL take turns while their tasks are long (over
 * {@link #TURNS_ON_NANOS} on average, as a Flask request is): one of them, the primary, takes the
 * tasks, and the others wait until every worker taking tasks has been in its current one for
 * {@link #STUCK_NANOS} (waiting on I/O with the GIL released, or just slow); then one more joins
 * in. Without this, each worker would wait for the GIL with a request in hand, and almost every
 * request would end by passing the GIL to another thread that must first be woken and scheduled.
 * Short tasks (a few microseconds of Python, then the answer written without the GIL) go faster
 * with every worker taking them, so turns stop when the average falls under
 * {@link #TURNS_OFF_NANOS}. With a GIL per worker they all take tasks at once.
 */
public final class PythonWorkers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PythonWorkers.class.getName());
    /** Tasks one worker runs per GIL acquisition before it lets others in. */
    private static final int BATCH = 16;
    /** How often an idle worker forwards log records written by threads the app started. */
    private static final long IDLE_LOG_MILLIS = 1000;
    /** How long the workers taking tasks may all be in one task each before another joins them. */
    static final long STUCK_NANOS = 2_000_000;
    /** Workers sharing a GIL start taking turns when their tasks average more than this... */
    static final long TURNS_ON_NANOS = 40_000;
    /** ...and stop when they average less than this. */
    static final long TURNS_OFF_NANOS = 20_000;
    /** Put in {@link #interrupts} to make the watchdog look at the workers again. */
    private static final PythonTask WAKE_WATCHDOG = new PythonTask() {
        @Override
        public Runnable runWithGil(Python py) {
            return null;
        }

        @Override
        public void abandon() {
        }
    };

    /** Per-worker interpreters with their own GIL: the venv to add and what each runs first. */
    record OwnGil(List<Path> sitePackages, Consumer<Python> prepare) {
    }

    private final LibPython lib;
    /** The shared interpreter the workers run in (NULL: main), unless {@link #ownGil} is set. */
    private final MemorySegment interpreter;
    private final OwnGil ownGil;
    private final String name;
    private final BlockingQueue<PythonTask> queue;
    private final List<Worker> workers = new ArrayList<>();
    private final BlockingQueue<PythonTask> interrupts = new LinkedBlockingQueue<>();
    private final Thread watchdog;
    private volatile boolean closed;
    private boolean shutDown;
    /** True when workers share one GIL and so may take turns (see the class comment). */
    private final boolean takeTurns;
    /** Whether they take turns now: their tasks are long. */
    private volatile boolean turnsOn;
    /** A moving average of how long tasks take, for {@link #turnsOn}; updated racily, as an estimate. */
    private volatile long averageTaskNanos;
    private final Object turns = new Object();
    /** The worker that takes tasks without waiting for a turn; written with {@link #turns} held. */
    private volatile Worker primary;
    /** Workers allowed to take one batch of tasks beside the primary; guarded by {@link #turns}. */
    private int extraTurns;
    /** Workers waiting for a turn; guarded by {@link #turns}. */
    private int waitingForTurn;
    /** The watchdog checks for stuck workers every {@link #STUCK_NANOS} while this is set. */
    private volatile boolean watchdogTicking;

    PythonWorkers(LibPython lib, MemorySegment interpreter, OwnGil ownGil, String name, int threadCount,
                  int queueCapacity) {
        if (threadCount < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("workers and queue must be at least 1, not " + threadCount + " and " + queueCapacity);
        }
        this.lib = lib;
        this.interpreter = interpreter;
        this.ownGil = ownGil;
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.takeTurns = ownGil == null && threadCount > 1;
        for (int i = 0; i < threadCount; i++) {
            var worker = new Worker();
            workers.add(worker);
            worker.thread = Thread.ofPlatform().name(name + "-" + i).daemon().start(worker::work);
        }
        watchdog = Thread.ofPlatform().name(name + "-watchdog").daemon().start(this::watch);
        awaitStarted();
    }

    /** Waits until every worker is ready; if one failed, stops them all and says why. */
    private void awaitStarted() {
        try {
            for (Worker worker : workers) {
                worker.started.get(120, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            close(Duration.ofSeconds(10));
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Python workers " + name + " did not start: " + cause, cause);
        }
    }

    /** Queues a task; false, at once, when the queue is full or the workers are stopping. */
    public boolean submit(PythonTask task) {
        if (closed || !queue.offer(task)) {
            return false;
        }
        if (closed && queue.remove(task)) {
            return false;
        }
        if (turnsOn) {
            letAnotherInIfStuck();
            if (!watchdogTicking) {
                watchdogTicking = true;
                interrupts.add(WAKE_WATCHDOG);
            }
        }
        return true;
    }

    /**
     * Waits for a turn to take tasks.
     *
     * @return true for the primary (or when workers do not take turns), which may wait for tasks;
     *         false for an extra turn, which takes only the tasks already queued
     */
    private boolean awaitTurn(Worker me) throws InterruptedException {
        if (!takeTurns) {
            return true;
        }
        synchronized (turns) {
            while (turnsOn) {
                if (primary == null) {
                    primary = me;
                }
                if (primary == me) {
                    return true;
                }
                if (extraTurns > 0) {
                    extraTurns--;
                    return false;
                }
                waitingForTurn++;
                try {
                    turns.wait();
                } finally {
                    waitingForTurn--;
                }
            }
            return true;
        }
    }

    /** Adds a task's duration to the average and turns turn-taking on or off. */
    private void measured(long taskNanos) {
        long average = averageTaskNanos + (taskNanos - averageTaskNanos) / 16;
        averageTaskNanos = average;
        if (!turnsOn && average > TURNS_ON_NANOS) {
            turnsOn = true;
        } else if (turnsOn && average < TURNS_OFF_NANOS) {
            synchronized (turns) {
                turnsOn = false;
                turns.notifyAll();
            }
        }
    }

    /** A worker that stops hands the primary's turn to a waiting one. */
    private void leaveTurn(Worker me) {
        if (takeTurns) {
            synchronized (turns) {
                if (primary == me) {
                    primary = null;
                    turns.notifyAll();
                }
            }
        }
    }

    /** Lets one more worker take tasks when tasks wait and every worker taking them is stuck in one. */
    private void letAnotherInIfStuck() {
        if (queue.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Worker worker : workers) {
            long since = worker.inTaskSince;
            if (since == 0 ? worker == primary : now - since < STUCK_NANOS) {
                return; // it takes the next task soon
            }
        }
        synchronized (turns) {
            if (waitingForTurn > extraTurns) {
                extraTurns++;
                turns.notify();
            }
        }
    }

    /** Whether tasks wait or a worker is in one. */
    private boolean anyWorkInHand() {
        if (!queue.isEmpty()) {
            return true;
        }
        for (Worker worker : workers) {
            if (worker.inTaskSince != 0) {
                return true;
            }
        }
        return false;
    }

    /** Tasks waiting for a worker right now. */
    public int queued() {
        return queue.size();
    }

    /**
     * Raises {@code TimeoutError} in the Python code running {@code task}, if it still runs. Code
     * stuck in a C call sees it only when it returns to Python; until then it keeps its worker.
     */
    public void interrupt(PythonTask task) {
        if (!closed) {
            interrupts.add(task);
        }
    }

    /**
     * Stops taking tasks, abandons the queued ones, and waits up to {@code grace} for running
     * tasks to finish; then raises TimeoutError in them and waits one more second. A worker stuck
     * in a C call past that is left behind (a daemon) and logged.
     */
    public void close(Duration grace) {
        synchronized (this) {
            if (shutDown) {
                return;
            }
            shutDown = true;
        }
        closed = true;
        watchdog.interrupt();
        workers.forEach(w -> w.thread.interrupt());
        for (PythonTask task; (task = queue.poll()) != null; ) {
            task.abandon();
        }
        if (!joinAll(grace)) {
            // Still running after the grace: interrupt the handlers, as python.timeout would.
            for (Worker worker : workers) {
                PythonTask task = worker.running;
                if (worker.thread.isAlive() && task != null && !worker.interrupted) {
                    try {
                        raiseTimeout(worker, task, "to stop it: the web app is stopping");
                    } catch (Throwable e) {
                        LOG.log(System.Logger.Level.ERROR, "cannot interrupt " + worker.thread.getName(), e);
                    }
                }
            }
            if (!joinAll(Duration.ofSeconds(1))) {
                for (Thread thread : threads()) {
                    if (thread.isAlive()) {
                        LOG.log(System.Logger.Level.WARNING, "{0} is still running Python after {1} and an interrupt;"
                                + " leaving it behind", thread.getName(), grace);
                    }
                }
            }
        }
    }

    /** Waits for every thread to end, at most {@code limit} in all; true if they all did. */
    private boolean joinAll(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread thread : threads()) {
            try {
                thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return threads().stream().noneMatch(Thread::isAlive);
    }

    /**
     * Closes with 4 s of grace for running tasks, then interrupts them and waits 1 s more: a
     * container stops within its usual 10 s even with a handler stuck in a loop.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(4));
    }

    private List<Thread> threads() {
        var threads = new ArrayList<Thread>();
        workers.forEach(w -> threads.add(w.thread));
        threads.add(watchdog);
        return threads;
    }

    /** One worker thread and what the watchdog needs to know to interrupt it. */
    private final class Worker {
        Thread thread;
        final CompletableFuture<Void> started = new CompletableFuture<>();
        /** The interpreter this worker runs in (NULL: main). */
        volatile MemorySegment runsIn = MemorySegment.NULL;
        /** The task in Python right now; written and read only with the GIL held. */
        volatile PythonTask running;
        /** System.nanoTime() when {@link #running} started; 0 between tasks. */
        volatile long inTaskSince;
        /** Python's ident for this thread, for PyThreadState_SetAsyncExc. */
        volatile long ident;
        /** A TimeoutError was raised for {@link #running}; cleared with the GIL held. */
        volatile boolean interrupted;

        void work() {
            ThreadState main = null;
            ThreadState threadState;
            try {
                if (ownGil == null) {
                    threadState = ThreadState.create(lib, interpreter);
                    runsIn = interpreter;
                } else {
                    main = ThreadState.create(lib, MemorySegment.NULL);
                    main.attach();
                    threadState = ThreadState.adopt(lib, SubInterpreters.newOwnGil(lib, ownGil.sitePackages()));
                    runsIn = (MemorySegment) lib.PyThreadState_GetInterpreter.invokeExact(threadState.pointer());
                    threadState.detach();
                }
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "cannot attach " + Thread.currentThread().getName() + " to Python", e);
                started.completeExceptionally(e);
                return;
            }
            var afterGil = new ArrayList<Runnable>(BATCH);
            try (var arena = Arena.ofConfined()) {
                var py = new Python(lib, arena);
                py.bindThreadState(threadState);
                threadState.attach();
                py.enter();
                PythonLogs logs;
                try {
                    if (ownGil != null) {
                        ownGil.prepare().accept(py);
                    }
                    py.useGlue();
                    logs = new PythonLogs(py);
                    ident = (Long) py.callModuleFunction("_thread", "get_ident");
                } catch (RuntimeException e) {
                    started.completeExceptionally(e);
                    closed = true;
                    throw e;
                } finally {
                    py.leave();
                    threadState.detach();
                }
                started.complete(null);
                while (!closed) {
                    PythonTask task;
                    try {
                        boolean primaryTurn = awaitTurn(this);
                        task = primaryTurn ? queue.poll(IDLE_LOG_MILLIS, TimeUnit.MILLISECONDS) : queue.poll();
                        if (task == null && !primaryTurn) {
                            continue; // an extra turn came too late: the queue is empty again
                        }
                    } catch (InterruptedException stop) {
                        break;
                    }
                    threadState.attach();
                    py.enter();
                    int done = 0;
                    while (task != null) {
                        run(task, py, afterGil);
                        task = ++done < BATCH && !closed ? queue.poll() : null;
                        if (task != null && !afterGil.isEmpty()) {
                            // Answer this one before taking the next, which may be slow: a finished
                            // request must not wait for its neighbour in the batch.
                            py.withoutGil(() -> runAll(afterGil));
                        }
                    }
                    List<?> records = logs.take(py);
                    py.leave();
                    threadState.detach();
                    PythonLogs.publish(records);
                    runAll(afterGil);
                }
                threadState.attach();
                py.enter();
                PythonLogs.publish(logs.take(py));
                logs.release(py);
                py.releaseAll();
                py.leave();
                threadState.detach();
            } catch (Throwable e) {
                if (started.isDone()) {
                    LOG.log(System.Logger.Level.ERROR, Thread.currentThread().getName() + " stopped", e);
                }
            } finally {
                leaveTurn(this);
            }
            try {
                if (main == null) {
                    threadState.dispose();
                } else {
                    threadState.attach();
                    SubInterpreters.endOwnGil(lib, threadState.pointer());
                    main.dispose();
                }
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "cannot detach " + Thread.currentThread().getName() + " from Python", e);
            }
        }

        private void run(PythonTask task, Python py, List<Runnable> afterGil) throws Throwable {
            running = task;
            long start = System.nanoTime() | 1; // never 0
            inTaskSince = start;
            try {
                Runnable after = task.runWithGil(py);
                if (after != null) {
                    afterGil.add(after);
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "a Python task failed outside Python", e);
                runQuietly(task::abandon);
            } finally {
                running = null;
                inTaskSince = 0;
                if (takeTurns) {
                    measured(System.nanoTime() - start);
                }
                if (interrupted) {
                    // The TimeoutError may still be pending if the task returned first; it must
                    // not hit the next task.
                    int unused = (int) lib.PyThreadState_SetAsyncExc.invokeExact(ident, MemorySegment.NULL);
                    interrupted = false;
                }
            }
        }
    }

    /**
     * Raises TimeoutError in workers whose task overran. It makes a thread state in the worker's
     * interpreter for each interrupt: rare, and each own-GIL worker has an interpreter of its own.
     */
    private void watch() {
        try {
            while (!closed) {
                PythonTask task = watchdogTicking ? interrupts.poll(STUCK_NANOS, TimeUnit.NANOSECONDS) : interrupts.take();
                if (turnsOn) {
                    letAnotherInIfStuck();
                }
                if (takeTurns) {
                    // Cleared before looking, so that a submit() in between either is seen or wakes us.
                    watchdogTicking = false;
                    watchdogTicking = turnsOn && anyWorkInHand();
                }
                if (task == null || task == WAKE_WATCHDOG) {
                    continue;
                }
                int stuck = 0;
                for (Worker worker : workers) {
                    if (worker.running == task && !worker.interrupted) {
                        raiseTimeout(worker, task, "whose request overran");
                    }
                    if (worker.interrupted) {
                        stuck++;
                    }
                }
                if (stuck == workers.size()) {
                    LOG.log(System.Logger.Level.ERROR, "all {0} Python workers of {1} are running requests past"
                            + " python.timeout and have not stopped when interrupted (stuck in C code?); new"
                            + " requests wait in the queue and get 503 when it is full", stuck, name);
                }
            }
        } catch (InterruptedException stop) {
            // closing
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, name + " watchdog stopped", e);
        }
    }

    /** Raises TimeoutError in {@code worker} if it still runs {@code task}, from a thread state of our own in its interpreter. */
    private void raiseTimeout(Worker worker, PythonTask task, String why) throws Throwable {
        var threadState = ThreadState.create(lib, worker.runsIn);
        threadState.attach();
        if (task != null && worker.running == task) {
            int unused = (int) lib.PyThreadState_SetAsyncExc.invokeExact(worker.ident, lib.timeoutError);
            worker.interrupted = true;
            LOG.log(System.Logger.Level.WARNING, "raised TimeoutError in {0}, {1}", worker.thread.getName(), why);
        }
        threadState.detach();
        threadState.dispose();
    }

    private static void runAll(List<Runnable> actions) {
        for (Runnable action : actions) {
            runQuietly(action);
        }
        actions.clear();
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "finishing a Python task failed", e);
        }
    }

    @Override
    public String toString() {
        return name + "[" + workers.size() + " threads, " + queue.size() + " queued]";
    }
}
