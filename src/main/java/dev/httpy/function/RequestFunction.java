package dev.httpy.function;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.httpy.dispatch.CallContext;
import dev.httpy.dispatch.Dispatcher;
import dev.httpy.dispatch.HandlerTimes;
import dev.httpy.dispatch.HttpyAnswers;
import dev.httpy.dispatch.PythonApp;
import dev.httpy.dispatch.PythonCall;
import dev.httpy.dispatch.RequestContext;
import dev.httpy.python.Python;
import dev.httpy.python.PythonResponse;
import dev.httpy.routing.RouteMatch;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The user's request function, {@code handler(method, path, params, query, headers, body)},
 * called directly; its answer is checked on the Java side ({@link Python#callRequestFunction}), so
 * everything arriving here already has the fixed shape {@code (int, [name, value, ...], bytes)}. It
 * is looked up by name in each worker's interpreter (a worker may have one of its own).
 *
 * <p>A request goes to Python with its whole body: without one, a short handler runs on the
 * container thread when Python is free; else the body is collected as it arrives, without holding a
 * thread, and the thread that read its end may run the handler itself.
 *
 * @param name    {@code module:function}
 * @param exposed what of the Java side of the request ({@code httpy.request()}) Python may see
 */
public record RequestFunction(String name, RequestContext.Settings exposed) implements PythonApp {
    @Override
    public String kind() {
        return "function";
    }

    /** Sets and takes back the request {@code httpy.request()} describes around a call. */
    static final String ENTER = "httpy:_enter";
    static final String LEAVE = "httpy:_leave";
    private static final byte[] EMPTY = new byte[0];

    @Override
    public void serve(Dispatcher dispatcher, HttpServletRequest servletRequest, HttpServletResponse response, String path,
                      RouteMatch.Found route, boolean hasBody) throws IOException {
        Map<String, List<String>> query;
        try {
            query = RequestParts.query(servletRequest.getQueryString());
        } catch (IllegalArgumentException e) {
            dispatcher.answeredAtOnce(servletRequest, response, 400, HttpyAnswers.badRequest(e.getMessage()));
            return;
        }
        var request = new PythonRequest(servletRequest.getMethod(), path, route.params(), query,
                RequestParts.headers(servletRequest), EMPTY, RequestContext.of(servletRequest, exposed));
        dispatcher.started(servletRequest);
        HandlerTimes routeTimes = dispatcher.timesOf(route.pattern());
        if (!hasBody && dispatcher.tryHere(routeTimes, servletRequest, response, py -> call(py, request))) {
            return;
        }
        if (!servletRequest.isAsyncSupported()) {
            byte[] body = hasBody ? dispatcher.readBlocking(servletRequest, false) : EMPTY;
            if (body == null) {
                dispatcher.tooLarge(servletRequest, response);
                return;
            }
            dispatcher.serveBlocking(servletRequest, response, trip(request.withBody(body), routeTimes));
            return;
        }
        var exchange = dispatcher.startAsync(servletRequest, response, null);
        if (!hasBody) {
            dispatcher.submit(exchange, trip(request, routeTimes));
            return;
        }
        dispatcher.collectBody(exchange, servletRequest, body -> {
            // On the container thread that read the end of the body: it may run the handler itself.
            PythonRequest whole = request.withBody(body);
            if (!dispatcher.runHereAsync(routeTimes, exchange, py -> call(py, whole))) {
                dispatcher.submit(exchange, trip(whole, routeTimes));
            }
        });
    }

    /** One trip to a worker: the call, and its answer once the GIL is released. */
    private PythonCall trip(PythonRequest request, HandlerTimes routeTimes) {
        return Dispatcher.timed(routeTimes, (py, exchange) -> {
            PythonResponse answer = call(py, request);
            return () -> exchange.answer(answer);
        });
    }

    /**
     * Calls Python while the caller holds the GIL.
     *
     * @throws dev.httpy.python.PythonException when the handler raises or answers with a bad shape
     */
    public PythonResponse call(Python py, PythonRequest request) {
        CallContext context = request.context();
        if (context != null) {
            py.call(py.cachedFunction(ENTER), context.forPython());
        }
        PythonResponse answer;
        try {
            answer = py.callRequestFunction(py.cachedFunction(name), request.method(), request.path(),
                    request.params(), request.query(), request.headers(), request.body());
        } catch (RuntimeException e) {
            if (context != null) {
                py.call(py.cachedFunction(LEAVE)); // a failed handler's session writes are dropped
            }
            throw e;
        }
        if (context != null) {
            context.writeSession(py.call(py.cachedFunction(LEAVE)), request.path(), py);
        }
        return answer;
    }

    @Override
    public void resolve(Python py) {
        py.cachedFunction(name);
    }
}
