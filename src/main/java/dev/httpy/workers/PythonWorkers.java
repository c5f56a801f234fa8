package dev.httpy.workers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import dev.httpy.python.GilWaits;
import dev.httpy.python.Interpreter;
import dev.httpy.python.Python;
import dev.httpy.python.PythonThread;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.runtime.PythonThreads;
import dev.httpy.workers.TurnTaking.Turn;

/**
 * Platform threads that run {@link PythonTask}s from one bounded queue: {@code warm} of them for
 * life, and up to {@code max} while tasks wait on workers that are all busy.
 *
 * <p>Each thread makes its Python thread state once and keeps it (a thread state per call costs
 * 60-90 us); it takes the GIL when a task arrives and, while more tasks are waiting, runs up to
 * {@value #BATCH} of them before giving the GIL back, releasing it only briefly to answer each one
 * before taking the next. That saves the wake-up of a waiting thread per task under load.
 *
 * <p><b>Elastic.</b> When tasks wait and every worker has been inside a task for
 * {@link TurnTaking#STUCK_NANOS}, the pool starts as many workers as tasks wait, at once, up to
 * {@code max}; a worker beyond {@code warm} ends after {@link #RETIRE_AFTER} without a task,
 * deleting its own thread state on its own thread ({@link Growth} decides both). With a GIL per
 * worker (each worker a sub-interpreter that imports its own copy of the app) the pool stays at
 * {@code warm}: a new worker would have to load the app first. The tasks wait in a
 * {@link TaskQueue}.
 *
 * <p>Workers sharing one GIL take turns while tasks are long ({@link TurnTaking}); a
 * {@link Watchdog} raises {@code TimeoutError} in a task that is {@linkplain #interrupt
 * interrupted}.
 */
public final class PythonWorkers implements PythonThreads, AutoCloseable {
    /** How long {@link #close()} lets running tasks end by themselves before it interrupts them. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(4);

    private static final System.Logger LOG = System.getLogger(PythonWorkers.class.getName());
    /** Tasks one worker runs per GIL acquisition before it lets others in. */
    private static final int BATCH = 16;
    /** How often an idle warm worker forwards log records written by threads the app started. */
    private static final long IDLE_LOG_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a worker beyond {@code warm} may wait for a task before it ends. */
    static final Duration RETIRE_AFTER = Duration.ofSeconds(10);

    /** Per-worker interpreters with their own GIL: the venv to add and what each runs first. */
    record OwnGil(List<Path> sitePackages, Consumer<Python> prepare) {
    }

    /** The interpreter the workers run in, unless {@link #ownGil} is set. */
    private final Interpreter interpreter;
    private final OwnGil ownGil;
    private final String name;
    private final int warm;
    private final int max;
    private final Growth growth;

    private final TaskQueue tasks;
    private boolean shutDown;
    /** A worker's own-GIL interpreter still had a thread in it when the worker ended, so it was left in memory. */
    private volatile boolean interpreterLeftBehind;

    private final CopyOnWriteArrayList<Worker> workers = new CopyOnWriteArrayList<>();
    /** Numbers the worker threads' names. */
    private final AtomicInteger workerNumbers = new AtomicInteger();
    /** Held while a worker's thread starts: once {@link #close} has held it, no more start. */
    private final Object starting = new Object();
    private final TurnTaking turns;
    private final Watchdog watchdog;
    /** Lets others in or starts workers when all are stuck; null where neither can happen. */
    private final Thread lookout;
    /** The lookout looks every {@link TurnTaking#STUCK_NANOS} while this is set. */
    private volatile boolean lookoutTicking;
    /** Where the workers add their waits for the GIL ({@link #countGilWaitsIn}). */
    private volatile GilWaits gilWaits = new GilWaits();

    /**
     * Starts {@code warm} platform threads that run {@link PythonTask}s from a queue holding at
     * most {@code queueCapacity} waiting tasks, in the app's interpreter; while tasks wait and every
     * worker is stuck in one, more start, up to {@code max}, and end again after 10 s without a
     * task. They stop when {@code runtime} closes, if not before.
     */
    public static PythonWorkers start(PythonRuntime runtime, String name, int warm, int max, int queueCapacity) {
        return start(runtime, name, warm, max, queueCapacity, RETIRE_AFTER);
    }

    /** As above, with workers beyond {@code warm} ending after {@code retireAfter} idle. */
    static PythonWorkers start(PythonRuntime runtime, String name, int warm, int max, int queueCapacity,
                               Duration retireAfter) {
        var workers = new PythonWorkers(runtime.interpreter(), null, name, warm, max, queueCapacity, retireAfter);
        runtime.adopt(workers);
        return workers;
    }

    /**
     * Starts {@code threads} workers that each run a sub-interpreter with a GIL of its own (Python
     * 3.12+), so Python runs on as many cores as there are workers. Each interpreter loads the app
     * afresh and then runs {@code onStart} (find the request function, call the init function).
     * Their number is fixed: a new one would have to load the app first. Fails, naming the module,
     * when the app imports an extension that does not support such interpreters.
     */
    public static PythonWorkers startOwnGil(PythonRuntime runtime, String name, int threads, int queueCapacity,
                                            Consumer<Python> onStart) {
        var ownGil = new OwnGil(runtime.sitePackages(), py -> {
            runtime.prepare(py);
            onStart.accept(py);
        });
        var workers = new PythonWorkers(runtime.interpreter(), ownGil, name, threads, threads, queueCapacity, RETIRE_AFTER);
        runtime.adopt(workers);
        return workers;
    }

    private PythonWorkers(Interpreter interpreter, OwnGil ownGil, String name, int warm, int max,
                  int queueCapacity, Duration retireAfter) {
        if (warm < 1 || max < warm || queueCapacity < 1) {
            throw new IllegalArgumentException("Python workers " + name + ": warm " + warm + ", max " + max + ", queue "
                    + queueCapacity + ": give at least 1 warm worker, a max of at least warm and a queue of at least 1");
        }
        if (ownGil != null && max != warm) {
            throw new IllegalArgumentException("workers with a GIL each do not grow: give the same warm and max, not "
                    + warm + " and " + max);
        }
        this.interpreter = interpreter;
        this.ownGil = ownGil;
        this.name = name;
        this.warm = warm;
        this.max = max;
        this.tasks = new TaskQueue(queueCapacity);
        this.growth = new Growth(max, retireAfter, System::nanoTime);
        this.turns = new TurnTaking(ownGil == null && max > 1, System::nanoTime);
        this.watchdog = new Watchdog(name, max, workers);
        var warmWorkers = new ArrayList<Worker>();
        for (int i = 0; i < warm; i++) {
            var worker = newWorker(true);
            start(worker, List.of());
            warmWorkers.add(worker);
        }
        lookout = ownGil == null && max > 1
                ? Thread.ofPlatform().name(name + "-lookout").daemon().start(this::lookOut) : null;
        awaitStarted(warmWorkers);
    }

    /** Waits until every warm worker is ready; if one failed, stops them all and says why. */
    private void awaitStarted(List<Worker> warmWorkers) {
        try {
            for (Worker worker : warmWorkers) {
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

    /** A worker, counted in {@link #size} at once, whose thread {@link #start} starts. */
    private Worker newWorker(boolean permanent) {
        var worker = new Worker(permanent);
        worker.thread = Thread.ofPlatform().name(name + "-" + workerNumbers.getAndIncrement()).daemon().unstarted(worker::work);
        workers.add(worker);
        return worker;
    }

    /**
     * Starts {@code worker}, which first starts {@code others}, unless the pool has closed or the
     * system has no thread to spare; then they are dropped unstarted.
     */
    private void start(Worker worker, List<Worker> others) {
        worker.toStart = others;
        synchronized (starting) {
            if (!tasks.closed()) {
                try {
                    worker.thread.start();
                    return;
                } catch (OutOfMemoryError e) {
                    LOG.log(System.Logger.Level.ERROR, "cannot start {0} and {1} more Python workers of {2}: {3}",
                            worker.thread.getName(), others.size(), name, e.getMessage());
                }
            }
        }
        for (Worker dropped : others) {
            dropped.leavePool();
        }
        worker.leavePool();
    }

    // ---- submitting ----

    /** Queues a task; false, at once, when the queue is full or the workers are stopping. */
    public boolean submit(PythonTask task) {
        return offer(task, false);
    }

    /**
     * Queues a task for the worker that owns {@code pinnedTo} (the {@link Python} an earlier task of
     * this pool received): a streamed response's Python objects live in one worker's interpreter
     * when each worker has a GIL of its own, and its next chunk must be made there. In workers that
     * share one interpreter any worker may run it, so the pin is ignored. Either way it continues a
     * request the pool already accepted: it goes before the queued tasks, and a full queue does not
     * refuse it. When that worker has ended the task is {@linkplain PythonTask#abandon abandoned}.
     *
     * @return false, at once, when the workers are stopping
     */
    public boolean submit(PythonTask task, Python pinnedTo) {
        if (ownGil == null) {
            return offer(task, true);
        }
        Worker owner = workers.stream().filter(w -> w.py == pinnedTo).findFirst().orElse(null);
        return switch (tasks.pin(task, owner == null ? null : owner.inbox)) {
            case PINNED -> true;
            case REFUSED -> false;
            case WORKER_GONE -> {
                runQuietly(task::abandon);
                yield true;
            }
        };
    }

    /** Queues a task for any worker; has the lookout look when no idle worker took it. */
    private boolean offer(PythonTask task, boolean continues) {
        return switch (tasks.offer(task, continues)) {
            case REFUSED -> false;
            case WOKE_IDLE_WORKER -> true;
            case NO_IDLE_WORKER -> {
                lookOutSoon();
                yield true;
            }
        };
    }

    // ---- what the pool is doing ----

    /** Worker threads now, between {@code warm} and {@code max}. */
    public int size() {
        return workers.size();
    }

    /** Workers inside a task now. */
    public int busy() {
        int busy = 0;
        for (Worker worker : workers) {
            if (worker.inTaskSince != 0) {
                busy++;
            }
        }
        return busy;
    }

    /** Workers inside one task for longer than {@code nanos} now: stuck, when that is the app's timeout. */
    public int busyLongerThan(long nanos) {
        long now = System.nanoTime();
        int stuck = 0;
        for (Worker worker : workers) {
            long since = worker.inTaskSince;
            if (since != 0 && now - since > nanos) {
                stuck++;
            }
        }
        return stuck;
    }

    /** How many tasks may wait for a worker (python.queue); tasks that continue accepted requests do not count. */
    public int queueCapacity() {
        return tasks.capacity();
    }

    /** Workers with a TimeoutError raised in their current task and not yet cleared. */
    int interrupted() {
        return (int) workers.stream().filter(Worker::interrupted).count();
    }

    /** Tasks waiting for a worker now. */
    public int queued() {
        return tasks.queued();
    }

    /**
     * From their next acquisition on, the workers add their waits for the GIL to {@code waits}
     * (their own until then): a filter's long-lived figures outlive any one pool.
     */
    public void countGilWaitsIn(GilWaits waits) {
        gilWaits = Objects.requireNonNull(waits);
    }

    /** Where the workers add their waits for the GIL now. */
    public GilWaits gilWaits() {
        return gilWaits;
    }

    // ---- growing and letting others in ----

    /** Has the lookout look now, unless it already looks every few milliseconds. */
    private void lookOutSoon() {
        if (lookout != null && !lookoutTicking) {
            lookoutTicking = true;
            LockSupport.unpark(lookout);
        }
    }

    /**
     * Every {@link TurnTaking#STUCK_NANOS} while workers have work, and at once when a task finds
     * no idle worker: if tasks wait and every worker is stuck in one, starts new workers; if some
     * wait for a turn instead, lets them in.
     */
    private void lookOut() {
        while (!tasks.closed()) {
            if (lookoutTicking) {
                LockSupport.parkNanos(this, TurnTaking.STUCK_NANOS);
            } else {
                LockSupport.park(this);
            }
            if (tasks.closed()) {
                break;
            }
            // Cleared before looking, so that a submit() in between is either seen or wakes us.
            lookoutTicking = false;
            try {
                int waiting = tasks.waiting();
                if (waiting > 0 && !growIfAllStuck(waiting)) {
                    turns.letOthersInIfStuck(workers, waiting);
                }
                lookoutTicking = tasks.waiting() > 0 || busy() > 0;
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, name + " cannot start more workers", e);
            }
        }
    }

    /** Starts workers for the waiting tasks, up to max, when every worker is stuck in a task. */
    private boolean growIfAllStuck(int waiting) {
        int more = growth.workersToAdd(workers, waiting);
        if (more == 0) {
            return false;
        }
        var added = new ArrayList<Worker>(more);
        for (int i = 0; i < more; i++) {
            added.add(newWorker(false));
        }
        start(added.getFirst(), added.subList(1, more));
        return true;
    }

    // ---- stopping ----

    /**
     * Raises {@code TimeoutError} in the Python code running {@code task}, if it still runs. Code
     * stuck in a C call sees it only when it returns to Python; until then it keeps its worker.
     */
    public void interrupt(PythonTask task) {
        if (!tasks.closed()) {
            watchdog.interrupt(task);
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
        List<PythonTask> abandoned = tasks.close();
        synchronized (starting) {
            // Any worker starting now has started; the others see closed and never start.
        }
        turns.stop();
        watchdog.stop();
        if (lookout != null) {
            LockSupport.unpark(lookout);
            joinAll(List.of(lookout), grace); // it starts no worker after this
        }
        abandoned.forEach(task -> runQuietly(task::abandon));
        if (!joinAll(threads(), grace)) {
            // Still running after the grace: interrupt the handlers, as python.timeout would.
            for (Worker worker : workers) {
                PythonTask task = worker.running;
                if (worker.thread.isAlive() && task != null && !worker.interrupted()) {
                    try {
                        watchdog.raiseTimeout(worker, task, "to stop it: the web app is stopping");
                    } catch (Throwable e) {
                        LOG.log(System.Logger.Level.ERROR, "cannot interrupt " + worker.thread.getName(), e);
                    }
                }
            }
            if (!joinAll(threads(), Duration.ofSeconds(1))) {
                for (Thread thread : threads()) {
                    if (thread.isAlive()) {
                        LOG.log(System.Logger.Level.WARNING, "{0} is still running Python after {1} and an interrupt;"
                                + " leaving it behind", thread.getName(), grace);
                    }
                }
            }
        }
    }

    /**
     * Closes with {@link #STOP_GRACE} for running tasks, then interrupts them and waits 1 s more: a
     * container stops within its usual 10 s even with a handler stuck in a loop.
     */
    @Override
    public void close() {
        close(STOP_GRACE);
    }

    /**
     * After {@link #close}: whether every worker thread has ended and, with a GIL per worker, every
     * worker's interpreter with it (none left behind with a thread still in it).
     */
    @Override
    public boolean allThreadsEnded() {
        return !interpreterLeftBehind && workers.stream().noneMatch(w -> w.thread.isAlive());
    }

    /** Waits for {@code threads} to end, at most {@code limit} in all; true if they all did. */
    private static boolean joinAll(List<Thread> threads, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /** Every thread of the pool that may still run. */
    private List<Thread> threads() {
        var threads = new ArrayList<Thread>();
        workers.forEach(w -> threads.add(w.thread));
        threads.add(watchdog.thread());
        if (lookout != null) {
            threads.add(lookout);
        }
        return threads;
    }

    // ---- the workers ----

    /** One worker thread: its Python thread state, its pinned tasks, and what it is doing. */
    private final class Worker implements TurnTaking.Taker, Watchdog.Watched {
        /** One of the warm workers, kept for life; the others end when idle for a while. */
        final boolean permanent;
        final CompletableFuture<Void> started = new CompletableFuture<>();
        /** Its pinned tasks, and where it waits for a task. */
        final TaskQueue.Inbox inbox = tasks.join();
        Thread thread;
        /** Workers this one starts first thing, so that many threads start in parallel. */
        List<Worker> toStart = List.of();
        /** Its thread state, once made. */
        volatile PythonThread python;
        /** The Python its tasks receive, once it has started. */
        volatile Python py;
        /** The task in Python right now; written and read only with the GIL held. */
        volatile PythonTask running;
        /** System.nanoTime() when {@link #running} started; 0 between tasks. */
        volatile long inTaskSince;

        Worker(boolean permanent) {
            this.permanent = permanent;
        }

        void work() {
            startOthers();
            PythonThread python;
            try {
                python = ownGil == null ? interpreter.newThread() : interpreter.newOwnGilInterpreter(ownGil.sitePackages());
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "cannot attach " + thread.getName() + " to Python", e);
                started.completeExceptionally(e);
                leavePool();
                return;
            }
            this.python = python;
            try {
                attach(python);
                try {
                    if (ownGil != null) {
                        ownGil.prepare().accept(python.python());
                    }
                    python.ready();
                } catch (RuntimeException e) {
                    started.completeExceptionally(e);
                    throw e;
                } finally {
                    python.detach();
                }
                this.py = python.python();
                started.complete(null);
                takeTasks(python);
            } catch (Throwable e) {
                if (!started.isCompletedExceptionally()) {
                    LOG.log(System.Logger.Level.ERROR, thread.getName() + " stopped", e);
                } else if (!permanent) {
                    // A warm worker's failure goes to whoever started the pool; this one's only here.
                    LOG.log(System.Logger.Level.ERROR, "cannot start " + thread.getName(), e);
                }
            } finally {
                stopTaking();
                turns.leave(this);
            }
            try {
                if (!python.close()) {
                    interpreterLeftBehind = true;
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "cannot detach " + thread.getName() + " from Python", e);
            }
            leavePool();
        }

        /**
         * Starts the workers handed to this one as two halves, the head of each starting the rest
         * of its half: a {@code Thread.start} waits for the new thread to run, which on a busy
         * machine takes milliseconds, so 200 new workers start in 8 rounds instead of 200.
         */
        private void startOthers() {
            List<Worker> others = toStart;
            toStart = List.of();
            while (!others.isEmpty()) {
                int half = others.size() / 2;
                var second = others.subList(half, others.size());
                start(second.getFirst(), second.subList(1, second.size()));
                others = others.subList(0, half);
            }
        }

        /** Takes and runs tasks until the pool closes or, beyond warm, none came for a while. */
        private void takeTasks(PythonThread python) throws InterruptedException {
            var afterGil = new ArrayList<Runnable>(BATCH);
            long idleSince = System.nanoTime();
            // Started because tasks waited and every worker was stuck: takes them without a turn.
            boolean turnGiven = !permanent;
            while (!tasks.closed()) {
                long wait = permanent ? IDLE_LOG_NANOS : growth.waitBeforeRetiring(idleSince);
                Turn turn = turnGiven ? Turn.EXTRA : turns.awaitTurn(this, permanent ? TurnTaking.FOREVER : wait);
                turnGiven = false;
                PythonTask task = switch (turn) {
                    case PRIMARY -> tasks.take(inbox, wait);
                    case EXTRA -> tasks.take(inbox, 0); // only tasks already queued
                    case NONE -> null;
                };
                if (task != null) {
                    runBatch(task, python, afterGil);
                    idleSince = System.nanoTime();
                } else if (!permanent && growth.retires(idleSince)) {
                    return;
                } else if (permanent && turn == Turn.PRIMARY) {
                    attach(python);
                    List<?> records = python.takeLogs();
                    python.detach();
                    PythonThread.publish(records);
                }
            }
        }

        /**
         * Runs {@code task} and then, with the GIL still held, up to {@value #BATCH} - 1 more
         * queued ones, answering each before taking the next: a finished request must not wait
         * for a slow neighbour in the batch.
         */
        private void runBatch(PythonTask task, PythonThread python, List<Runnable> afterGil) throws InterruptedException {
            attach(python);
            Python py = python.python();
            int done = 0;
            while (task != null) {
                run(task, python, afterGil);
                task = ++done < BATCH && !tasks.closed() ? tasks.take(inbox, 0) : null;
                if (task != null && !afterGil.isEmpty()) {
                    py.withoutGil(() -> runAll(afterGil));
                }
            }
            List<?> records = python.takeLogs();
            python.detach();
            PythonThread.publish(records);
            runAll(afterGil);
        }

        private void run(PythonTask task, PythonThread python, List<Runnable> afterGil) {
            running = task;
            long start = System.nanoTime() | 1; // never 0
            inTaskSince = start;
            try {
                Runnable after = task.runWithGil(python.python());
                if (after != null) {
                    afterGil.add(after);
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "a Python task failed outside Python", e);
                runQuietly(task::abandon);
            } finally {
                running = null;
                inTaskSince = 0;
                turns.measured(System.nanoTime() - start);
                // A TimeoutError that came as the task returned must not hit the next task.
                python.clearTimeout();
            }
        }

        private void attach(PythonThread python) {
            python.countWaitsIn(gilWaits);
            python.attach();
        }

        /** Takes no more tasks; abandons those pinned to it since the pool last looked. */
        private void stopTaking() {
            tasks.leave(inbox).forEach(task -> runQuietly(task::abandon));
        }

        private void leavePool() {
            stopTaking();
            workers.remove(this);
        }

        @Override
        public long inTaskSince() {
            return inTaskSince;
        }

        @Override
        public String name() {
            return thread.getName();
        }

        @Override
        public PythonThread python() {
            return python;
        }

        @Override
        public PythonTask running() {
            return running;
        }
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
        return name + "[" + workers.size() + " threads (" + warm + "-" + max + "), " + busy() + " busy, "
                + queued() + " queued]";
    }
}
