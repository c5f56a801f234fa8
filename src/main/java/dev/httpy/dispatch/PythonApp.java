package dev.httpy.dispatch;

import java.io.IOException;
import java.time.Duration;

import dev.httpy.python.Python;
import dev.httpy.routing.RouteMatch;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.workers.PythonWorkers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A Python app a filter mounts: the six-argument request function ({@code dev.httpy.function}), a
 * WSGI app ({@code dev.httpy.wsgi}) or an ASGI app ({@code dev.httpy.asgi}). Each kind translates
 * the servlet request for its Python and its answer back, and serves with the {@link Dispatcher}'s
 * shared mechanics: admission, the fast path, the async answer, deadlines and one error policy.
 *
 * <p>Its life: {@link #resolve} in the interpreter (a bad name fails the start-up), {@link #startIn}
 * what it starts in Python, {@link #serveWith} the workers, then {@link #serve} for each request,
 * and {@link #stop} when its interpreter is retired.
 */
public interface PythonApp {

    /** {@code module:function} (or {@code module:app}), for logs and errors. */
    String name();

    /** The app's kind: {@code function}, {@code wsgi} or {@code asgi}. */
    String kind();

    /** Looks the callable up in {@code py}'s interpreter, so a bad name fails at start-up. */
    void resolve(Python py);

    /** What {@link #startIn} starts, for the start-up's step names ("the lifespan startup"); null for nothing. */
    default String startsInPython() {
        return null;
    }

    /**
     * In the app's interpreter, after {@link #resolve}: starts what serves it there (an ASGI app's
     * event loop and lifespan). {@code ownInterpreter}: the interpreter is one worker's own.
     */
    default void startIn(Python py, boolean ownInterpreter) {
    }

    /** The workers that will run its calls, once they run. */
    default void serveWith(PythonWorkers workers) {
    }

    /**
     * Serves one request that matched {@code route}; the dispatcher admitted it and checked its
     * declared length against {@code python.max-body}.
     *
     * @param path    the request's path within the web app
     * @param hasBody whether a body follows the headers (Content-Length over 0, or chunked)
     */
    void serve(Dispatcher dispatcher, HttpServletRequest request, HttpServletResponse response, String path,
               RouteMatch.Found route, boolean hasBody) throws IOException;

    /** Stops what {@link #startIn} started, within {@code grace}: an ASGI app's lifespan shutdown. */
    default void stop(PythonRuntime runtime, Duration grace) {
    }
}
