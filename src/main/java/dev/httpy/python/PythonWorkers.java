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
 */
public final class PythonWorkers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PythonWorkers.class.getName());
    /** Tasks one worker runs per GIL acquisition before it lets others in. */
    private static final int BATCH = 16;
    /** How often an idle worker forwards log records written by threads the app started. */
    private static final long IDLE_LOG_MILLIS = 1000;

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
        return true;
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
                    py.useGlueDescriber();
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
                        task = queue.poll(IDLE_LOG_MILLIS, TimeUnit.MILLISECONDS);
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
                PythonTask task = interrupts.take();
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
