package dev.httpy.cdi;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.runtime.Waits;
import dev.httpy.workers.ResultTask;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;

/**
 * The web app's Python, for Java code: {@code @Inject PythonApplication python;} then
 * {@code python.call("pricing:total", List.of(3L, 4L))}.
 *
 * <p>Calls run on Python worker threads of their own (two, with a queue of 100), never on the
 * calling thread, in the web app's interpreter, so they see the same modules as the request
 * handlers. Arguments and results convert as {@link Python} documents (str, int, float, bool,
 * None, bytes, list, dict); a Python error comes back as a {@link PythonException} with its type,
 * message and traceback.
 */
@ApplicationScoped
public class PythonApplication {
    private static final int WORKERS = 2;
    private static final int QUEUE = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    ServletContext context;
    /** Where the servlet context comes from outside CDI (Spring Boot's auto-configuration); null under CDI. */
    private final Supplier<ServletContext> contexts;

    private final AppWorkers workers = new AppWorkers("httpy-cdi", WORKERS, WORKERS, QUEUE);

    /** For CDI, which injects the web app's servlet context. */
    public PythonApplication() {
        this.contexts = null;
    }

    /** Outside CDI: the web app's servlet context, asked for at each use (null until httpy has started). */
    public PythonApplication(Supplier<ServletContext> context) {
        this.contexts = context;
    }

    /**
     * Calls {@code module:function(*args)} and returns its converted result.
     *
     * @throws PythonException          when the function raises
     * @throws IllegalArgumentException when an argument or the result cannot be converted
     * @throws IllegalStateException    when Python is not running, busy past 30 s, or stopping
     */
    public Object call(String function, Object... args) {
        var task = new ResultTask<>(py -> py.call(py.cachedFunction(function), args), "the Python app is stopping");
        var pool = workers.in(contexts == null ? context : contexts.get());
        if (!pool.submit(task)) {
            throw new IllegalStateException("Python is busy: " + QUEUE + " calls already wait; try again later");
        }
        try {
            return Waits.await(task.result(), TIMEOUT, function);
        } catch (TimeoutException e) {
            pool.interrupt(task);
            throw new IllegalStateException(function + " did not return within " + TIMEOUT.toSeconds() + " s", e);
        }
    }

    @PreDestroy
    void stop() {
        workers.close();
    }
}
