package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed set of platform threads that run {@link PythonTask}s from one bounded queue.
 *
 * <p>Each thread makes its Python thread state once and keeps it (a thread state per call costs
 * 60-90 us); it takes the GIL when a task arrives and, while more tasks are waiting, runs them
 * before giving the GIL back, which saves a GIL hand-off per request under load.
 */
public final class PythonWorkers implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PythonWorkers.class.getName());
    /** Tasks one worker runs per GIL acquisition before it lets others in. */
    private static final int BATCH = 16;

    private final LibPython lib;
    private final MemorySegment interpreter;
    private final String name;
    private final BlockingQueue<PythonTask> queue;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    PythonWorkers(LibPython lib, MemorySegment interpreter, String name, int threadCount, int queueCapacity) {
        if (threadCount < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("workers and queue must be at least 1, not " + threadCount + " and " + queueCapacity);
        }
        this.lib = lib;
        this.interpreter = interpreter;
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        for (int i = 0; i < threadCount; i++) {
            threads.add(Thread.ofPlatform().name(name + "-" + i).daemon().start(this::work));
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
     * Stops taking tasks, abandons the queued ones, and waits up to {@code grace} for running
     * tasks to finish. A worker stuck in Python past that is left behind (a daemon) and logged.
     */
    public void close(Duration grace) {
        closed = true;
        threads.forEach(Thread::interrupt);
        for (PythonTask task; (task = queue.poll()) != null; ) {
            task.abandon();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "{0} is still running Python after {1}; leaving it behind",
                        thread.getName(), grace);
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void work() {
        ThreadState threadState;
        try {
            threadState = ThreadState.create(lib, interpreter);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "cannot attach " + Thread.currentThread().getName() + " to Python", e);
            return;
        }
        var afterGil = new ArrayList<Runnable>(BATCH);
        try (var arena = Arena.ofConfined()) {
            var py = new Python(lib, arena);
            threadState.attach();
            py.enter();
            py.useGlueDescriber();
            py.leave();
            threadState.detach();
            while (!closed) {
                PythonTask task;
                try {
                    task = queue.take();
                } catch (InterruptedException stop) {
                    break;
                }
                threadState.attach();
                py.enter();
                int done = 0;
                do {
                    run(task, py, afterGil);
                } while (++done < BATCH && !closed && (task = queue.poll()) != null);
                py.leave();
                threadState.detach();
                for (Runnable after : afterGil) {
                    runQuietly(after);
                }
                afterGil.clear();
            }
            threadState.attach();
            py.enter();
            py.dropGlueDescriber();
            py.leave();
            threadState.detach();
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, Thread.currentThread().getName() + " stopped", e);
            return;
        }
        try {
            threadState.dispose();
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "cannot detach " + Thread.currentThread().getName() + " from Python", e);
        }
    }

    private static void run(PythonTask task, Python py, List<Runnable> afterGil) {
        try {
            Runnable after = task.runWithGil(py);
            if (after != null) {
                afterGil.add(after);
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "a Python task failed outside Python", e);
            runQuietly(task::abandon);
        }
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
        return name + "[" + threads.size() + " threads, " + queue.size() + " queued]";
    }
}
