package dev.httpy.wsgi;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.httpy.dispatch.CallContext;
import dev.httpy.dispatch.Dispatcher;
import dev.httpy.dispatch.Exchange;
import dev.httpy.dispatch.HandlerTimes;
import dev.httpy.dispatch.PythonApp;
import dev.httpy.dispatch.PythonCall;
import dev.httpy.dispatch.RequestContext;
import dev.httpy.os.BodyPipe;
import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonObject;
import dev.httpy.python.PythonResponse;
import dev.httpy.routing.RouteMatch;
import dev.httpy.workers.PythonWorkers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A WSGI (PEP 3333) application mounted by {@code python.wsgi=module:app}. The glue's WSGI half
 * ({@code _httpy_wsgi}) builds the environ around what Java passes and drives the app; this side
 * makes its steps callable from Java: {@link #start} (call the app, up to its first non-empty
 * chunk), {@link #next} (one more chunk) and {@link #close} (the iterable's {@code close()}, always
 * called once).
 *
 * <p>Who owns a call: {@link #start} until it returns (it closes a call that completed or failed),
 * then the {@link WsgiStream} of the response, which alone calls {@link #next} and {@link #close}.
 *
 * <p>A request's body, if any, is piped into {@code wsgi.input} as it arrives, so the app may read
 * it while it streams in; without one, a short app runs on the container thread when Python is free.
 *
 * @param name    {@code module:app}
 * @param exposed what of the Java side of the request ({@code httpy.request()}) Python may see
 */
public record WsgiApplication(String name, RequestContext.Settings exposed) implements PythonApp {
    @Override
    public String kind() {
        return "wsgi";
    }

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

    @Override
    public void serve(Dispatcher dispatcher, HttpServletRequest request, HttpServletResponse response, String path,
                      RouteMatch.Found route, boolean hasBody) throws IOException {
        Map<String, Object> environ = WsgiEnviron.of(request, path, route);
        CallContext context = RequestContext.of(request, exposed);
        dispatcher.started(request);
        HandlerTimes routeTimes = dispatcher.timesOf(route.pattern());
        if (!hasBody && tryHere(dispatcher, routeTimes, request, response, environ, context)) {
            return;
        }
        if (!request.isAsyncSupported()) {
            // The chain keeps this thread anyway: read the whole body first, so the app never waits for it.
            byte[] body = hasBody ? dispatcher.readBlocking(request, true) : null;
            dispatcher.serveBlocking(request, response, trip(dispatcher, environ, context, body, null, routeTimes));
            return;
        }
        BodyPipe pipe = hasBody ? BodyPipe.open(Exchange.SLICE) : null;
        Exchange exchange = dispatcher.startAsync(request, response, pipe == null ? null : pipe::discard);
        dispatcher.submit(exchange, trip(dispatcher, environ, context, null, pipe, routeTimes));
        if (pipe != null && !exchange.ended()) {
            dispatcher.pipeBody(exchange, request, pipe);
        }
    }

    /** One trip to a worker: the app's call up to its first chunk; the answer, or its stream, once the GIL is released. */
    private PythonCall trip(Dispatcher dispatcher, Map<String, Object> environ, CallContext context, byte[] body,
                            BodyPipe pipe, HandlerTimes routeTimes) {
        PythonWorkers workers = dispatcher.workers();
        PythonCall call = Dispatcher.timed(routeTimes, (py, exchange) -> {
            Object input = pipe != null ? (Object) (long) pipe.takeReadFd() : body;
            Start start = start(py, environ, context, input);
            if (start.complete()) {
                return () -> {
                    if (exchange.claim()) {
                        exchange.begin(start.status(), start.headers(), start.firstChunk(), true, null);
                    }
                };
            }
            var stream = new WsgiStream(this, start.call(), exchange, workers, py);
            return () -> {
                if (exchange.claim()) {
                    exchange.begin(start.status(), start.headers(), start.firstChunk(), false, stream);
                } else {
                    stream.cancel();
                }
            };
        });
        return pipe == null ? call : new PythonCall.Parts(call, pipe::discard, null);
    }

    /** Without a body: the app's start on this container thread when the route is short and Python free; false if not. */
    private boolean tryHere(Dispatcher dispatcher, HandlerTimes routeTimes, HttpServletRequest request,
                            HttpServletResponse response, Map<String, Object> environ, CallContext context)
            throws IOException {
        Dispatcher.Here<Start> here = dispatcher.runHere(routeTimes, py -> start(py, environ, context, null));
        if (here == null) {
            return false;
        }
        switch (here) {
            case Dispatcher.Here.Failed<Start> failed -> dispatcher.writeFailure(request, response, failed);
            case Dispatcher.Here.Ran<Start> ran -> {
                Start start = ran.value();
                if (start.complete() && start.firstChunk().length <= response.getBufferSize()) {
                    dispatcher.writeWhole(request, response,
                            new PythonResponse(start.status(), start.headers(), start.firstChunk()));
                } else {
                    Exchange exchange = dispatcher.startAsync(request, response, null);
                    exchange.claim();
                    exchange.begin(start.status(), start.headers(), start.firstChunk(), start.complete(),
                            start.complete() ? null : new WsgiStream(this, start.call(), exchange, dispatcher.workers(), null));
                }
            }
        }
        return true;
    }

    @Override
    public void resolve(Python py) {
        py.cachedFunction(name);
        py.cachedFunction(MODULE + ":wsgi_start");
    }

    /**
     * Calls the app and runs it up to its first non-empty chunk (or its end). A complete answer
     * is closed before returning; so is one that fails.
     *
     * @param environ the CGI part of the environ ({@link WsgiEnviron})
     * @param context what {@code httpy.request()} sees, or null
     * @param input   {@code wsgi.input}: a pipe's read end ({@code Long}), the whole body
     *                ({@code byte[]}), or null for none
     */
    Start start(Python py, Map<String, Object> environ, CallContext context, Object input) {
        PythonObject call = py.callForObject(py.cachedFunction(MODULE + ":wsgi_start"), py.cachedFunction(name), environ,
                input == null ? -1L : input, context == null ? null : context.forPython());
        boolean keep = false;
        try {
            var first = (List<?>) py.call(py.cachedFunction(MODULE + ":wsgi_next"), call);
            if (context != null) {
                context.writeSession(first.get(4), String.valueOf(environ.get("PATH_INFO")), py);
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
