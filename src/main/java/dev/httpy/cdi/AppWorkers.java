package dev.httpy.cdi;

import dev.httpy.runtime.PythonRuntime;
import dev.httpy.servlet.PythonLifecycleListener;
import dev.httpy.workers.PythonWorkers;
import jakarta.servlet.ServletContext;

/**
 * Python workers of a CDI bean's own in the web app's interpreter, started at first use. When the
 * interpreter is replaced (python.reload, python.max-requests), the next use starts new ones in the
 * new interpreter; the old interpreter stops the old ones when it ends.
 */
final class AppWorkers {
    private final String name;
    private final int warm;
    private final int max;
    private final int queue;
    private PythonWorkers workers;
    private PythonRuntime runtime;

    AppWorkers(String name, int warm, int max, int queue) {
        this.name = name;
        this.warm = warm;
        this.max = max;
        this.queue = queue;
    }

    /** The workers in the interpreter that serves {@code context} now; null before the web app started httpy. */
    synchronized PythonWorkers in(ServletContext context) {
        if (context == null) {
            throw new IllegalStateException("Python is not running yet: the web app has not started httpy");
        }
        if (!(context.getAttribute(PythonLifecycleListener.RUNTIME_ATTRIBUTE) instanceof PythonRuntime current)) {
            throw new IllegalStateException("Python is not running: declare <listener><listener-class>"
                    + PythonLifecycleListener.class.getName() + "</listener-class></listener> in web.xml");
        }
        if (workers == null || current != runtime) {
            workers = PythonWorkers.start(current, name, warm, max, queue);
            runtime = current;
        }
        return workers;
    }

    synchronized void close() {
        if (workers != null) {
            workers.close();
            workers = null;
            runtime = null;
        }
    }
}
