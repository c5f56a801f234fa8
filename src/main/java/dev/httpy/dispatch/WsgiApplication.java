package dev.httpy.dispatch;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.httpy.python.BodyPipe;
import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonObject;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A WSGI (PEP 3333) application mounted by {@code python.wsgi=module:app}. The glue builds the
 * environ around what Java passes and drives the app; this side streams the response: the
 * headers with the first non-empty chunk, then each chunk as the app yields it, flushed, with the
 * GIL released while it is written. {@code close()} is always called.
 */
public record WsgiApplication(String name) implements PythonHandler {
    private static final System.Logger LOG = System.getLogger(WsgiApplication.class.getName());

    @Override
    public void resolve(Python py) {
        py.cachedFunction(name);
        py.cachedFunction("_httpy:wsgi_start");
    }

    /**
     * The Python work for one request.
     *
     * @param environ the CGI part of the environ, built by the filter
     * @param body    the pipe the body arrives through, or null for a request without one
     */
    public PythonCall call(Map<String, Object> environ, BodyPipe body) {
        return new PythonCall() {
            @Override
            public Runnable run(Python py, Exchange exchange) {
                return serve(py, exchange, environ, body);
            }

            @Override
            public void discard() {
                if (body != null) {
                    body.discard();
                }
            }

            @Override
            public void finished() {
                if (body != null) {
                    // The container recycles the request once it completes: the copy must be over.
                    body.awaitPumped(java.time.Duration.ofSeconds(5));
                }
            }
        };
    }

    private Runnable serve(Python py, Exchange exchange, Map<String, Object> environ, BodyPipe body) {
        PythonObject call = py.callForObject(py.cachedFunction("_httpy:wsgi_start"), py.cachedFunction(name), environ,
                body == null ? -1L : (long) body.takeReadFd());
        boolean started = false;
        try {
            PythonObject next = py.cachedFunction("_httpy:wsgi_next");
            var first = (List<?>) py.call(next, call);
            if (Boolean.TRUE.equals(first.get(3))) {
                // The whole body is here: write it after the GIL is released, as the request function's
                // answers are, so the worker can go on to the next request of its batch.
                return () -> whole(exchange, first);
            }
            if (!exchange.claim()) {
                return null; // the timeout answered first
            }
            started = true;
            HttpServletResponse response = exchange.response();
            var open = new AtomicBoolean(true);
            py.withoutGil(() -> open.set(head(response, first)));
            for (Object chunk; open.get() && (chunk = py.call(next, call)) != null; ) {
                byte[] bytes = (byte[]) chunk;
                py.withoutGil(() -> open.set(write(response, bytes)));
            }
            return exchange::finish;
        } catch (PythonException | IllegalArgumentException | ClassCastException e) {
            if (!started) {
                throw e; // nothing sent yet: the exchange answers 500
            }
            LOG.log(System.Logger.Level.WARNING, "WSGI app {0} failed after its response had started; the response"
                    + " is cut short: {1}", name, e instanceof PythonException p ? p.getMessage() + "\n"
                    + p.pythonTraceback() : e.toString());
            return exchange::finish;
        } finally {
            try {
                py.call(py.cachedFunction("_httpy:wsgi_close"), call);
            } catch (PythonException e) {
                LOG.log(System.Logger.Level.WARNING, "WSGI app {0}: close() raised {1}\n{2}", name, e.getMessage(),
                        e.pythonTraceback());
            } finally {
                py.release(call);
            }
        }
    }

    /** A response whose first chunk is all of it: sent with a Content-Length, unless the app set one. */
    private static void whole(Exchange exchange, List<?> first) {
        if (!exchange.claim()) {
            return; // the timeout answered first
        }
        try {
            HttpServletResponse response = exchange.response();
            var body = (byte[]) first.get(2);
            setHead(response, first);
            if (!response.containsHeader("Content-Length")) {
                response.setContentLength(body.length);
            }
            if (body.length > 0) {
                response.getOutputStream().write(body);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "client gone while answering: {0}", e.toString());
        } finally {
            exchange.finish();
        }
    }

    /** Status, headers and the first chunk; false when the client has gone. */
    private static boolean head(HttpServletResponse response, List<?> first) {
        setHead(response, first);
        return write(response, (byte[]) first.get(2));
    }

    private static void setHead(HttpServletResponse response, List<?> first) {
        response.setStatus(((Long) first.get(0)).intValue());
        @SuppressWarnings("unchecked")
        var headers = (List<String>) first.get(1);
        for (int i = 0; i < headers.size(); i += 2) {
            response.addHeader(headers.get(i), headers.get(i + 1));
        }
    }

    /** One chunk, flushed so the client sees it before the app makes the next; false when the client has gone. */
    private static boolean write(HttpServletResponse response, byte[] chunk) {
        try {
            if (chunk.length > 0) {
                response.getOutputStream().write(chunk);
            }
            response.flushBuffer();
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "client gone while streaming: {0}", e.toString());
            return false;
        }
    }
}
