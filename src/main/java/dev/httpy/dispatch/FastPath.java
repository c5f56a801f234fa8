package dev.httpy.dispatch;

import java.util.function.Function;

import dev.httpy.python.Python;
import dev.httpy.python.PythonRuntime;
import dev.httpy.python.PythonWorkers;

/**
 * Lets a container thread run a short handler itself, with a Python thread state it keeps for
 * this app, instead of handing the request to a worker and waiting to be woken again: no
 * {@code startAsync}, no queue, no wake-ups.
 *
 * <p>Only where that makes nobody wait: on a platform thread (a virtual thread must never touch
 * Python), with one GIL shared by the app's workers, and while no worker holds or is about to take
 * the GIL. Workers that wait inside handlers (GIL released) do not count, so a quick request is
 * served here even while hundreds of slow ones sleep on workers.
 */
public final class FastPath {
    private static final System.Logger LOG = System.getLogger(FastPath.class.getName());
    private final PythonRuntime runtime;
    /** Warned once: a stopping app refuses every call, and the log needs one line, not thousands. */
    private volatile boolean warned;
    private final PythonWorkers workers;

    /** The app could not run Python on this thread now (stopping, or a virtual thread): use the workers. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    public FastPath(PythonRuntime runtime, PythonWorkers workers) {
        this.runtime = runtime;
        this.workers = workers;
    }

    /** Whether this thread may run Python for a short handler now without waiting behind a worker. */
    boolean mayRunHere() {
        return !Thread.currentThread().isVirtual() && !workers.mayHoldGil();
    }

    /** Runs {@code work} with the GIL on this thread. */
    <T> T run(Function<Python, T> work) {
        try {
            return runtime.onThisThread(work);
        } catch (IllegalStateException e) {
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.INFO, "a container thread could not run Python, so its requests go to"
                        + " the workers: " + e.getMessage(), e);
            }
            throw new Unavailable(e);
        }
    }

    /** Raises TimeoutError in the handler {@code thread} runs here, for python.timeout. */
    void interrupt(Thread thread) {
        runtime.raiseTimeout(thread);
    }
}
