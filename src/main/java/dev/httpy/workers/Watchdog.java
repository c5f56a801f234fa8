package dev.httpy.workers;

import java.util.Collection;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.httpy.python.PythonThread;

/**
 * Stops Python code that overran: raises {@code TimeoutError} in the worker running a task that
 * {@link #interrupt} names ({@link PythonThread#raiseTimeout}, which takes the GIL of the worker's
 * interpreter for it: interrupts are rare). Python code sees the exception at its next bytecode;
 * code blocked in a C call sees it only when the call returns, and until then keeps its worker.
 * When every worker is stuck so, it says so at ERROR.
 *
 * <p>One platform thread, which does nothing until asked.
 */
final class Watchdog {
    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());

    /** A worker as the watchdog sees it. */
    interface Watched {
        /** Its thread's name, for the log. */
        String name();

        /** Its Python thread state; null before it made one. */
        PythonThread python();

        /** The task it runs now, or null; written only with the GIL held. */
        PythonTask running();

        /** Whether a TimeoutError was raised for its current task. */
        default boolean interrupted() {
            PythonThread python = python();
            return python != null && python.timeoutRaised();
        }
    }

    private final String poolName;
    private final int maxWorkers;
    private final Collection<? extends Watched> workers;
    private final BlockingQueue<PythonTask> overran = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    /** Starts watching {@code workers}, a live collection of at most {@code maxWorkers}. */
    Watchdog(String poolName, int maxWorkers, Collection<? extends Watched> workers) {
        this.poolName = poolName;
        this.maxWorkers = maxWorkers;
        this.workers = workers;
        this.thread = Thread.ofPlatform().name(poolName + "-watchdog").daemon().start(this::watch);
    }

    /** Asks for TimeoutError in the worker running {@code task}, if one still does. */
    void interrupt(PythonTask task) {
        if (!stopped) {
            overran.add(task);
        }
    }

    /** Stops the thread; {@link #thread()} ends soon after. */
    void stop() {
        stopped = true;
        thread.interrupt();
    }

    Thread thread() {
        return thread;
    }

    private void watch() {
        try {
            while (!stopped) {
                PythonTask task = overran.take();
                int stuck = 0;
                int all = 0;
                for (Watched worker : workers) {
                    all++;
                    if (worker.running() == task && !worker.interrupted()) {
                        raiseTimeout(worker, task, "whose request overran");
                    }
                    if (worker.interrupted()) {
                        stuck++;
                    }
                }
                if (stuck == all) {
                    LOG.log(System.Logger.Level.ERROR, "all {0} Python workers of {1} are running requests past"
                            + " python.timeout and have not stopped when interrupted (stuck in C code?); {2}",
                            stuck, poolName, stuck < maxWorkers ? "more start as requests wait, up to " + maxWorkers
                                    : "new requests wait in the queue and get 503 when it is full");
                }
            }
        } catch (InterruptedException stop) {
            // the pool closes
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, poolName + " watchdog stopped", e);
        }
    }

    /**
     * Raises TimeoutError in {@code worker} if it still runs {@code task}: checked with the GIL of
     * its interpreter held, so the task cannot end in between.
     */
    void raiseTimeout(Watched worker, PythonTask task, String why) {
        PythonThread python = worker.python();
        if (python != null && task != null && python.raiseTimeout(() -> worker.running() == task)) {
            LOG.log(System.Logger.Level.WARNING, "raised TimeoutError in {0}, {1}", worker.name(), why);
        }
    }
}
