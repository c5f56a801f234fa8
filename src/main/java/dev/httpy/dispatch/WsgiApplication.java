package dev.httpy.dispatch;

import java.util.List;
import java.util.Map;

import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonObject;

/**
 * A WSGI (PEP 3333) application mounted by {@code python.wsgi=module:app}. The glue's WSGI half
 * ({@code _httpy_wsgi}) builds the environ around what Java passes and drives the app; this side
 * makes its steps callable from Java: {@link #start} (call the app, up to its first non-empty
 * chunk), {@link #next} (one more chunk) and {@link #close} (the iterable's {@code close()}, always
 * called once).
 *
 * <p>Who owns a call: {@link #start} until it returns (it closes a call that completed or failed),
 * then the {@link WsgiStream} of the response, which alone calls {@link #next} and {@link #close}.
 */
public record WsgiApplication(String name) implements PythonHandler {
    private static final System.Logger LOG = System.getLogger(WsgiApplication.class.getName());
    /** The glue's WSGI half, loaded into every interpreter of the web app with the glue. */
    private static final String MODULE = "_httpy_wsgi";

    /**
     * The app's answer up to its first chunk.
     *
     * @param call     the running request in Python, for {@link #next} and {@link #close}; null when
     *                 {@code complete} (it is closed already)
     * @param complete the first chunk is all of the body
     */
    record Start(int status, List<String> headers, byte[] firstChunk, boolean complete, PythonObject call) {
    }

    /** The environ key under which the filter hands over the request's {@link CallContext}; never reaches Python. */
    public static final String CONTEXT = "httpy.context";

    @Override
    public void resolve(Python py) {
        py.cachedFunction(name);
        py.cachedFunction(MODULE + ":wsgi_start");
    }

    /**
     * Calls the app and runs it up to its first non-empty chunk (or its end). A complete answer
     * is closed before returning; so is one that fails.
     *
     * @param environ the CGI part of the environ, built by the filter
     * @param input   {@code wsgi.input}: a pipe's read end ({@code Long}), the whole body
     *                ({@code byte[]}), or null for none
     */
    Start start(Python py, Map<String, Object> environ, Object input) {
        // The filter's CallContext rides in the environ map; Python gets its dict as wsgi_start's context.
        var context = (CallContext) environ.remove(CONTEXT);
        PythonObject call = py.callForObject(py.cachedFunction(MODULE + ":wsgi_start"), py.cachedFunction(name), environ,
                input == null ? -1L : input, context == null ? null : context.forPython());
        boolean keep = false;
        try {
            var first = (List<?>) py.call(py.cachedFunction(MODULE + ":wsgi_next"), call);
            if (context != null) {
                context.writeSession(first.get(4), String.valueOf(environ.get("PATH_INFO")));
            }
            @SuppressWarnings("unchecked")
            var headers = (List<String>) first.get(1);
            boolean complete = Boolean.TRUE.equals(first.get(3));
            keep = !complete;
            return new Start(((Long) first.get(0)).intValue(), headers, (byte[]) first.get(2), complete, keep ? call : null);
        } finally {
            if (!keep) {
                close(py, call);
            }
        }
    }

    /** The next chunk of a streamed answer, or null at its end; the caller ({@link WsgiStream}) closes the call. */
    byte[] next(Python py, PythonObject call) {
        return (byte[]) py.call(py.cachedFunction(MODULE + ":wsgi_next"), call);
    }

    /** Calls the iterable's close() and lets go of the call, once per call; logs what close() raises. */
    void close(Python py, PythonObject call) {
        try {
            py.call(py.cachedFunction(MODULE + ":wsgi_close"), call);
        } catch (PythonException e) {
            LOG.log(System.Logger.Level.WARNING, "WSGI app {0}: close() raised {1}\n{2}", name, e.getMessage(),
                    e.pythonTraceback());
        } finally {
            py.release(call);
        }
    }
}
