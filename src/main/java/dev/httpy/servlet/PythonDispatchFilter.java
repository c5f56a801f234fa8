package dev.httpy.servlet;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.httpy.dispatch.AsgiApplication;
import dev.httpy.dispatch.Dispatcher;
import dev.httpy.dispatch.PythonRequest;
import dev.httpy.dispatch.PythonHandler;
import dev.httpy.dispatch.RequestFunction;
import dev.httpy.dispatch.WsgiApplication;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonRuntime;
import dev.httpy.routing.RouteMatch;
import dev.httpy.routing.RouteTable;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Sends the requests that match the Python app's routes to its request function; every other
 * request goes down the filter chain untouched.
 *
 * <p>Declare it in {@code web.xml} with {@code <async-supported>true</async-supported>} and the
 * {@code python.*} init-params of {@link FilterSettings}; it needs the
 * {@link PythonLifecycleListener}. At start-up it calls the init function ({@code python.init})
 * once for the route map; a bad parameter, a missing function or a conflicting route fails the
 * deployment with a message that names it.
 */
public final class PythonDispatchFilter implements Filter {
    private static final System.Logger LOG = System.getLogger(PythonDispatchFilter.class.getName());
    /** CPython's ImportError for an extension module that refuses sub-interpreters (3.12+). */
    private static final Pattern REFUSAL = Pattern.compile("module (\\S+) does not support loading in subinterpreters");

    /** How long an ASGI app's lifespan startup may take, and its requests and shutdown when the app stops. */
    private static final java.time.Duration LIFESPAN_TIMEOUT = java.time.Duration.ofSeconds(60);
    private static final java.time.Duration ASGI_GRACE = java.time.Duration.ofSeconds(4);

    private RouteTable routes;
    /** The methods a python.routes pattern answers. */
    private static final byte[] EMPTY = new byte[0];
    private static final List<String> ALL_METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

    private Dispatcher dispatcher;
    private FilterMBean mbean;
    private PythonRuntime runtime;
    private PythonHandler handler;
    private long maxBody;
    private java.time.Duration timeout;
    /** Where a Jakarta WebSocket container publishes itself (jakarta.websocket.server.ServerContainer's name). */
    private static final String WEBSOCKET_CONTAINER = "jakarta.websocket.server.ServerContainer";

    @Override
    public void init(FilterConfig config) throws ServletException {
        String name = "filter " + config.getFilterName();
        try {
            var settings = FilterSettings.read(Collections.list(config.getInitParameterNames()), config::getInitParameter);
            if (!(config.getServletContext().getAttribute(PythonLifecycleListener.RUNTIME_ATTRIBUTE)
                    instanceof PythonRuntime started)) {
                throw new IllegalStateException("Python is not running: declare <listener><listener-class>"
                        + PythonLifecycleListener.class.getName() + "</listener-class></listener> in web.xml");
            }
            runtime = started;
            maxBody = settings.maxBody();
            timeout = settings.timeout();
            handler = settings.asgi() != null ? new AsgiApplication(settings.asgi(), LIFESPAN_TIMEOUT)
                    : settings.wsgi() != null ? new WsgiApplication(settings.wsgi()) : new RequestFunction(settings.handler());
            var function = handler;
            String param = settings.asgi() != null ? "python.asgi" : settings.wsgi() != null ? "python.wsgi" : "python.handler";
            runtime.withGil(py -> {
                named(() -> {
                    function.resolve(py);
                    return null;
                }, param, function.name());
                return null;
            });
            if (settings.init() != null) {
                routes = readRoutes(settings.init());
            } else if (!settings.routes().isEmpty()) {
                routes = routesFromParam(settings.routes());
            } else {
                routes = RouteTable.matchAll();
            }
            String threadName = "httpy-" + config.getFilterName();
            var workers = settings.gilPerWorker()
                    ? runtime.startOwnGilWorkers(threadName, settings.workers(), settings.queue(),
                            py -> startOwnCopy(py, settings, function))
                    : runtime.startWorkers(threadName, settings.workers(), settings.maxWorkers(), settings.queue());
            // With a GIL per worker the handler's interpreter is the worker's own: no container thread may run it.
            // Before 3.12 a container thread's app thread state is not the one C callbacks find.
            var fastPath = settings.gilPerWorker() || !runtime.runsOnCallerThreads() ? null : runtime;
            if (function instanceof AsgiApplication asgi) {
                // With a GIL per worker each worker started a loop of its own (startOwnCopy); else one loop here.
                if (!settings.gilPerWorker()) {
                    runtime.withGil(py -> {
                        asgi.startLoop(py, false);
                        return null;
                    });
                }
                asgi.serveWith(workers);
            }
            dispatcher = new Dispatcher(threadName, workers, fastPath, function, new Dispatcher.Limits(settings.timeout(),
                    settings.bodyTimeout(), settings.writeTimeout(), settings.maxBody(), settings.debug()));
            mbean = FilterMBean.register(config.getServletContext().getContextPath(), config.getFilterName(),
                    dispatcher.metrics(), () -> workers);
            config.getServletContext().log("httpy " + name + ": " + function.name() + " serves " + routes + " with "
                    + (settings.gilPerWorker() ? settings.workers() + " Python workers, each with its own GIL"
                    : settings.workers() + " to " + settings.maxWorkers() + " Python workers")
                    + ", queue " + settings.queue() + ", timeout " + settings.timeout().toMillis() / 1000.0 + " s"
                    + (fastPath == null ? "; every request goes to the workers" : "; short handlers run on request threads"));
        } catch (RuntimeException e) {
            destroy();
            throw new ServletException("httpy " + name + " cannot start: " + e.getMessage(), e);
        }
    }

    private static RouteTable routesFromParam(List<String> patterns) {
        var table = new java.util.LinkedHashMap<String, List<String>>();
        patterns.forEach(pattern -> table.put(pattern, ALL_METHODS));
        try {
            return RouteTable.of(table);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("init-param python.routes: " + e.getMessage(), e);
        }
    }

    /** In a worker's own interpreter: the app's own copy of its request and init functions. */
    private static void startOwnCopy(dev.httpy.python.Python py, FilterSettings settings, PythonHandler function) {
        try {
            function.resolve(py);
            if (settings.init() != null) {
                py.call(py.cachedFunction(settings.init()));
            }
            if (function instanceof AsgiApplication asgi) {
                asgi.startLoop(py, true);
            }
        } catch (PythonException e) {
            String refused = refusedModule(e);
            String hint = refused != null ? "; " + refused + " cannot load in an interpreter with its own GIL, so set"
                    + " python.gil=shared (and leave python.interpreter unset, or main)"
                    : e.pythonMessage().contains("sub-interpreter")
                    ? "; this module cannot run in an interpreter with its own GIL, so set python.gil=shared" : "";
            throw new IllegalArgumentException("init-param python.gil=per-worker: starting a copy of the app failed: "
                    + e.getMessage() + hint + (e.pythonTraceback().isEmpty() ? "" : "\n" + e.pythonTraceback()), e);
        }
    }

    private RouteTable readRoutes(String initSpec) {
        Map<?, ?> table = runtime.withGil(py -> {
            var init = named(() -> py.function(initSpec), "python.init", initSpec);
            try {
                return (Map<?, ?>) py.call(py.function("_httpy:routes"), init, initSpec);
            } catch (PythonException e) {
                throw new IllegalArgumentException("init-param python.init=" + initSpec + " raised " + e.getMessage()
                        + (e.pythonTraceback().isEmpty() ? "" : "\n" + e.pythonTraceback()), e);
            } finally {
                py.release(init);
            }
        });
        @SuppressWarnings("unchecked")
        var routeMap = (Map<String, List<String>>) table;
        try {
            return RouteTable.of(routeMap);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("init-param python.init=" + initSpec + " returned a bad route map: "
                    + e.getMessage(), e);
        }
    }

    private static <T> T named(java.util.function.Supplier<T> lookup, String param, String value) {
        try {
            return lookup.get();
        } catch (PythonException e) {
            String refused = refusedModule(e);
            String hint = refused == null ? "" : "; the extension module " + refused + " refuses to load in a"
                    + " sub-interpreter, so set the context-param python.interpreter=main (or leave it unset: auto"
                    + " then chooses main)";
            throw new IllegalArgumentException("init-param " + param + "=" + value + ": " + e.getMessage() + hint
                    + (e.pythonTraceback().isEmpty() ? "" : "\n" + e.pythonTraceback()), e);
        }
    }

    /** The extension module whose refusal of sub-interpreters made {@code e}, or null. */
    static String refusedModule(PythonException e) {
        var found = REFUSAL.matcher(e.pythonMessage() + "\n" + e.pythonTraceback());
        return found.find() ? found.group(1) : null;
    }

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws IOException, ServletException {
        if (!(servletRequest instanceof HttpServletRequest request)
                || !(servletResponse instanceof HttpServletResponse response)) {
            chain.doFilter(servletRequest, servletResponse);
            return;
        }
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (!(routes.match(request.getMethod(), path) instanceof RouteMatch.Found found)) {
            chain.doFilter(request, response);
            return;
        }
        if (handler instanceof AsgiApplication asgi && "websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                && "GET".equals(request.getMethod())) {
            serveWebSocket(request, response, asgi, path, found);
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBody) {
            dispatcher.tooLarge(request, response);
            return;
        }
        boolean hasBody = declared > 0 || (declared < 0 && request.getHeader("Transfer-Encoding") != null);
        if (handler instanceof AsgiApplication asgi) {
            dispatcher.serve(request, response, asgi, AsgiScope.of(request, path, found), hasBody);
            return;
        }
        if (handler instanceof WsgiApplication wsgi) {
            dispatcher.serve(request, response, found.pattern(), wsgi, WsgiEnviron.of(request, path, found), hasBody);
            return;
        }
        Map<String, List<String>> query;
        try {
            query = RequestParts.query(request.getQueryString());
        } catch (IllegalArgumentException e) {
            dispatcher.answeredAtOnce(request, response, 400, "400 Bad Request: " + e.getMessage());
            return;
        }
        var pythonRequest = new PythonRequest(request.getMethod(), path, found.params(), query,
                RequestParts.headers(request), EMPTY);
        dispatcher.serve(request, response, found.pattern(), (RequestFunction) handler, pythonRequest, hasBody);
    }

    /** An ASGI websocket call; without a Jakarta WebSocket container (Jetty without its module) a 501 that says so. */
    private void serveWebSocket(HttpServletRequest request, HttpServletResponse response, AsgiApplication asgi, String path,
                                RouteMatch.Found found) throws IOException {
        if (request.getServletContext().getAttribute(WEBSOCKET_CONTAINER) == null) {
            LOG.log(System.Logger.Level.WARNING, "{0}: the container has no Jakarta WebSocket server ({1} is not set);"
                    + " on Jetty, enable the ee11-websocket-jakarta module", request.getRequestURI(), WEBSOCKET_CONTAINER);
            Dispatcher.reply(request, response, 501, "501 Not Implemented: this server has no WebSocket support");
            return;
        }
        AsgiWebSocket.serve(request, response, asgi, AsgiScope.webSocket(request, path, found), timeout);
    }

    @Override
    public void destroy() {
        if (mbean != null) {
            mbean.unregister();
            mbean = null;
        }
        if (handler instanceof AsgiApplication asgi && runtime != null) {
            asgi.stop(runtime, ASGI_GRACE);
        }
        if (dispatcher != null) {
            LOG.log(System.Logger.Level.INFO, "stopping Python workers; {0} requests were refused with 503 while"
                    + " the queue was full", dispatcher.rejected());
            dispatcher.close();
            dispatcher = null;
        }
    }
}
