package dev.httpy.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.httpy.python.GilWaits;
import dev.httpy.python.Interpreter;
import dev.httpy.python.Python;
import dev.httpy.python.PythonThread;

/**
 * Python run on the caller's own platform thread (a container's request thread running a short
 * handler itself): each such thread keeps a thread state in the app's interpreter, made on its
 * first call and reused after, so a call costs about what a worker's does.
 *
 * <p>The threads are kept in a map inside this instance, not in a {@code ThreadLocal}: a
 * ThreadLocal value would keep the web app's class loader alive in the container's threads after
 * the app is undeployed. Thread states of threads that died are deleted by {@link #sweepDead};
 * the rest by {@link #deleteAll} when the app stops. A thread counts as dead once its OS thread
 * is gone too ({@link PythonThread#isGone}), the test the bridge sweeps its main-interpreter thread state by, so that both
 * go in the same sweep.
 */
final class CallerThreads {
    private static final System.Logger LOG = System.getLogger(CallerThreads.class.getName());

    private final Interpreter interpreter;
    private final Map<Thread, Caller> callers = new ConcurrentHashMap<>();
    /** Calls between their start and their end; the app's stop waits for none before deleting thread states. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    CallerThreads(Interpreter interpreter) {
        this.interpreter = interpreter;
    }

    /** One thread's thread state, used only by that thread while it lives. */
    private static final class Caller {
        final PythonThread python;
        /** Between the start of a call (before its check that the runtime is open) and its end: never deleted then. */
        volatile boolean busy = true;
        /** Running the call's work right now; written with the GIL held. */
        volatile boolean inside;

        Caller(PythonThread python) {
            this.python = python;
        }

        Thread thread() {
            return python.thread();
        }

        boolean dead() {
            return python.isGone();
        }

        <T> T run(Function<Python, T> work, GilWaits waits) {
            List<?> records = List.of();
            python.countWaitsIn(waits);
            python.attach();
            try {
                inside = true;
                try {
                    if (!python.isReady()) {
                        python.ready();
                    }
                    return work.apply(python.python());
                } finally {
                    inside = false;
                    // A TimeoutError that came too late must not hit this thread's next call.
                    python.clearTimeout();
                    records = python.takeLogs();
                }
            } finally {
                python.detach();
                PythonThread.publish(records);
            }
        }
    }

    /** See {@link PythonRuntime#onThisThread}; the wait for the GIL is added to {@code waits} unless it is null. */
    <T> T run(Function<Python, T> work, GilWaits waits) {
        Thread me = Thread.currentThread();
        if (me.isVirtual()) {
            throw new IllegalStateException("Python cannot run on virtual thread " + me + ": a virtual thread that"
                    + " parks while it holds a Python thread state aborts the JVM; run it on a platform thread or a"
                    + " PythonWorkers worker");
        }
        inFlight.incrementAndGet();
        Caller caller = callers.get(me);
        if (caller != null && caller.busy) {
            inFlight.decrementAndGet();
            throw new IllegalStateException(me.getName() + " is already in an onThisThread call: run the work"
                    + " inside it with the Python it was given");
        }
        try {
            if (caller != null) {
                caller.busy = true;
            }
            // Checked after counting this call and marking its thread busy: the app's stop sets closed first
            // and then waits for the count and skips busy threads, so a call either sees closed or is
            // waited for, and never attaches a deleted thread state.
            if (closed) {
                throw new IllegalStateException("the Python runtime of this web app is closed");
            }
            if (caller == null) {
                caller = register(me);
            }
            return caller.run(work, waits);
        } finally {
            if (caller != null) {
                caller.busy = false;
            }
            inFlight.decrementAndGet();
        }
    }

    private Caller register(Thread me) {
        var caller = new Caller(interpreter.newCallerThread());
        callers.put(me, caller);
        return caller;
    }

    /**
     * Raises TimeoutError in the Python code {@code thread} runs in a call right now; false if it
     * is in none. Needs a thread state of the app's interpreter attached on the calling thread.
     */
    boolean raiseTimeoutHoldingGil(Thread thread) {
        Caller caller = callers.get(thread);
        return caller != null && caller.inside && caller.python.raiseTimeoutHoldingGil();
    }

    /** Deletes the thread states of threads that have died; the caller holds the app's GIL. */
    void sweepDead() {
        for (Caller caller : callers.values()) {
            if (caller.dead() && !caller.busy && callers.remove(caller.thread(), caller)) {
                caller.python.discardHoldingGil();
            }
        }
    }

    boolean anyDead() {
        return callers.values().stream().anyMatch(Caller::dead);
    }

    /** Calls between their start and their end, for {@link #deleteAll}'s caller. */
    int inFlight() {
        return inFlight.get();
    }

    int size() {
        return callers.size();
    }

    /** Refuses calls from now on; those in flight go on (see {@link #awaitNoneInFlight}). */
    void refuseNewCalls() {
        closed = true;
    }

    /** Waits up to {@code limit} for the calls in flight to end; true if none is left. */
    boolean awaitNoneInFlight(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return inFlight.get() == 0;
    }

    /** Raises TimeoutError in every call still running; the caller holds the app's GIL. */
    void raiseTimeoutInAll() {
        for (Caller caller : callers.values()) {
            if (raiseTimeoutHoldingGil(caller.thread())) {
                LOG.log(System.Logger.Level.WARNING, "raised TimeoutError in {0} to stop it: the web app is stopping",
                        caller.thread().getName());
            }
        }
    }

    /**
     * After {@link #refuseNewCalls}: deletes every thread's app thread state except those of calls still
     * running (stuck in C); the caller holds the app's GIL. Returns how many were left; when
     * that is 0 and {@link #inFlight} is 0 too, no thread can attach to the interpreter again.
     */
    int deleteAll() {
        int left = 0;
        for (Caller caller : callers.values()) {
            if (caller.busy) {
                left++;
                LOG.log(System.Logger.Level.WARNING, "{0} is still running Python after the web app stopped;"
                        + " leaving its thread state", caller.thread().getName());
            } else {
                callers.remove(caller.thread());
                caller.python.discardHoldingGil();
            }
        }
        return left;
    }
}
