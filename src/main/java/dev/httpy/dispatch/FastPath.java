package dev.httpy.dispatch;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import dev.httpy.python.GilWaits;
import dev.httpy.python.Python;
import dev.httpy.runtime.PythonRuntime;

/**
 * Lets a container thread run a short handler itself, with a Python thread state it keeps for
 * this app, instead of handing the request to a worker and waiting to be woken again: no
 * {@code startAsync}, no queue, no wake-ups, no async completion.
 *
 * <p>Only when Python can be had at once: one container thread at a time runs Python here, and a
 * request arriving while another does takes the workers instead. Letting them all take the GIL
 * cost far more than it saved: dozens of request threads queued on it, each hand-over a context
 * switch, and a hello request cost 105 us of CPU at 400 connections instead of 30 (measured on 2
 * cores). Only on platform threads (a virtual thread must never touch Python), and only where the
 * workers share one GIL with the app's interpreter.
 */
public final class FastPath {
    private static final System.Logger LOG = System.getLogger(FastPath.class.getName());

    private final ContainerThreads python;
    private final Deadlines deadlines;
    /** Where a container thread's wait for the GIL here is added. */
    private final GilWaits gilWaits;
    /** Set while a container thread runs Python here. */
    private final AtomicBoolean inUse = new AtomicBoolean();
    /** Warned once: a stopping app refuses every call, and the log needs one line, not thousands. */
    private volatile boolean warned;

    /** Python cannot be had here now (in use, stopping, or a virtual thread): take the workers. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String why) {
            super(why, null, false, false);
        }
    }

    private static final Unavailable IN_USE = new Unavailable("another request thread runs Python");

    /**
     * What a handler run here gave: its value, or what it threw, whether python.timeout stopped it,
     * and how long it ran.
     */
    record Outcome<T>(T value, RuntimeException error, boolean timedOut, long nanos) {
    }

    /** What the fast path needs of the app's runtime: {@link PythonRuntime}'s caller threads. */
    interface ContainerThreads {
        /**
         * Runs {@code work} with the GIL on this thread.
         *
         * @throws IllegalStateException when this thread cannot run Python (before 3.12, a virtual
         *         thread, the app stopping)
         */
        <T> T run(Function<Python, T> work, GilWaits waits);

        /** Raises TimeoutError in the Python code {@code thread} runs in {@link #run} now. */
        void raiseTimeout(Thread thread);
    }

    FastPath(PythonRuntime runtime, Deadlines deadlines, GilWaits gilWaits) {
        this(new ContainerThreads() {
            @Override
            public <T> T run(Function<Python, T> work, GilWaits waits) {
                return runtime.onThisThread(work, waits);
            }

            @Override
            public void raiseTimeout(Thread thread) {
                runtime.raiseTimeout(thread);
            }
        }, deadlines, gilWaits);
    }

    FastPath(ContainerThreads python, Deadlines deadlines, GilWaits gilWaits) {
        this.python = python;
        this.deadlines = deadlines;
        this.gilWaits = gilWaits;
    }

    /**
     * The fast path's decision and its run: {@code work} runs on this container thread when the
     * route is short ({@link HandlerTimes#isShort}), this is a platform thread, no other container
     * thread runs Python here now, and Python can run on a caller's thread at all (3.12+, not
     * stopping); the run counts in the route's times. Null when the workers must take it.
     */
    <T> Outcome<T> tryRun(HandlerTimes routeTimes, Function<Python, T> work) {
        if (!routeTimes.isShort() || Thread.currentThread().isVirtual()) {
            return null;
        }
        Outcome<T> outcome;
        try {
            outcome = run(work);
        } catch (Unavailable e) {
            return null; // in use, or stopping: the workers take it, or refuse it with 503
        }
        routeTimes.record(outcome.nanos());
        return outcome;
    }

    /**
     * Runs {@code work} with the GIL on this thread, unless another container thread runs Python
     * here now.
     *
     * @throws Unavailable when Python cannot be had here now; the caller hands the request to the workers
     */
    <T> Outcome<T> run(Function<Python, T> work) {
        if (inUse.get() || !inUse.compareAndSet(false, true)) {
            throw IN_USE;
        }
        try {
            return python.run(py -> runTimed(work, py), gilWaits);
        } catch (IllegalStateException e) {
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.INFO, "a container thread could not run Python, so its requests go to"
                        + " the workers: " + e.getMessage());
            }
            throw new Unavailable(e.getMessage());
        } finally {
            inUse.set(false);
        }
    }

    /** Runs the handler under python.timeout's watch: {@link Deadlines} interrupts this thread if it overruns. */
    private <T> Outcome<T> runTimed(Function<Python, T> work, Python py) {
        Deadlines.HereRun run = deadlines.hereRun();
        run.timedOut = false;
        long start = System.nanoTime();
        run.since = start | 1;
        T value = null;
        RuntimeException error = null;
        try {
            value = work.apply(py);
        } catch (RuntimeException e) {
            error = e;
        } finally {
            run.since = 0;
        }
        return new Outcome<>(value, error, run.timedOut, System.nanoTime() - start);
    }

    /** Raises TimeoutError in the handler {@code thread} runs here, for python.timeout. */
    void interrupt(Thread thread) {
        python.raiseTimeout(thread);
    }
}
