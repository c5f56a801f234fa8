package dev.httpy.servlet;

import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.httpy.asgi.AsgiApplication;
import dev.httpy.dispatch.Dispatcher;
import dev.httpy.dispatch.HttpyAnswers;
import dev.httpy.dispatch.Metrics;
import dev.httpy.dispatch.PythonApp;
import dev.httpy.function.RequestFunction;
import dev.httpy.python.PythonException;
import dev.httpy.routing.RouteMatch;
import dev.httpy.routing.RouteTable;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.workers.PythonWorkers;
import dev.httpy.wsgi.WsgiApplication;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Sends the requests that match the Python app's routes to the app (a request function, a WSGI or
 * an ASGI app: a {@link PythonApp}); every other request goes down the filter chain untouched. A
 * request's way: {@link #doFilter} admits and matches it, its {@link Dispatcher} checks its length
 * and hands it to the app, which serves it with the dispatcher's mechanics.
 *
 * <p>Declared in {@code web.xml} with {@code <async-supported>true</async-supported>} and the
 * {@code python.*} init-params of {@link FilterSettings}, or added by {@link HttpyInitializer} (and
 * Spring Boot's auto-configuration) from context-params; it needs the {@link PythonLifecycleListener}. At start-up it calls the init function ({@code python.init})
 * once for the route map; a bad parameter, a missing function or a conflicting route fails the
 * deployment with a message that names it.
 */
public final class PythonDispatchFilter implements Filter {
    /**
     * A Micrometer {@code MeterRegistry} the filters publish their meters to instead of
     * {@code Metrics.globalRegistry}, when the web app puts one in this context attribute before
     * they start (Spring Boot's auto-configuration puts the application's own).
     */
    public static final String METER_REGISTRY_ATTRIBUTE = "dev.httpy.meterRegistry";

    /**
     * A {@code UnaryOperator<String>} that turns a start-up error's setting names into the ones the
     * user wrote, when the settings did not come from {@code web.xml} (Spring Boot's auto-configuration
     * puts one that names {@code httpy.workers} where the WAR says {@code init-param python.workers}).
     */
    public static final String SETTING_NAMES_ATTRIBUTE = "dev.httpy.settingNames";

    /** {@code message} with its setting names as the web app's configuration gives them. */
    @SuppressWarnings("unchecked")
    static String asConfigured(ServletContext context, String message) {
        return context != null && context.getAttribute(SETTING_NAMES_ATTRIBUTE) instanceof UnaryOperator<?> names
                ? ((UnaryOperator<String>) names).apply(message) : message;
    }

    private static final System.Logger LOG = System.getLogger(PythonDispatchFilter.class.getName());

    /** How long an ASGI app's lifespan startup may take, and its requests and shutdown when the app stops. */
    private static final Duration LIFESPAN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ASGI_GRACE = Duration.ofSeconds(4);

    /** The methods a python.routes pattern answers. */
    private static final List<String> ALL_METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

    /**
     * What serves the filter's requests in one interpreter: the app's handler and routes, its
     * workers and dispatcher. A reload or python.max-requests makes a new one on a fresh
     * interpreter ({@link AppReplacer}) while the old one finishes the requests it took.
     */
    static final class Mount {
        final PythonRuntime runtime;
        final PythonApp handler;
        final RouteTable routes;
        final PythonWorkers workers;
        final Dispatcher dispatcher;

        private Mount(PythonRuntime runtime, PythonApp handler, RouteTable routes, PythonWorkers workers,
                      Dispatcher dispatcher) {
            this.runtime = runtime;
            this.handler = handler;
            this.routes = routes;
            this.workers = workers;
            this.dispatcher = dispatcher;
        }
    }

    /** A filter's workers now, for {@link Health}; {@code inFlight}: requests taken and not answered yet. */
    record Load(int workers, int busy, int stuck, int queued, long inFlight, double timeoutSeconds) {
    }

    private final Metrics metrics = new Metrics();
    private ServletContext context;
    private String filterName;
    private String name;
    private String threadName;
    private FilterSettings settings;
    private volatile Mount mount;
    private FilterMBean mbean;
    private AppReplacer replacer;
    /** The web app's drain, which the first of its filters to stop begins. */
    private Drain drain;

    @Override
    public void init(FilterConfig config) throws ServletException {
        filterName = config.getFilterName();
        name = "filter " + filterName;
        threadName = "httpy-" + filterName;
        context = config.getServletContext();
        try {
            settings = FilterSettings.read(Collections.list(config.getInitParameterNames()), config::getInitParameter);
            if (!(context.getAttribute(PythonLifecycleListener.RUNTIME_ATTRIBUTE) instanceof PythonRuntime started)) {
                throw new IllegalStateException("Python is not running: declare <listener><listener-class>"
                        + PythonLifecycleListener.class.getName() + "</listener-class></listener> in web.xml");
            }
            mount = mountOn(started);
            mbean = FilterMBean.register(context.getContextPath(), filterName, mount.handler.name(),
                    context.getAttribute(METER_REGISTRY_ATTRIBUTE), metrics, () -> mount.workers);
            if (context.getAttribute(AppReplacer.ATTRIBUTE) instanceof AppReplacer app) {
                replacer = app;
                app.add(this);
            }
            drain = Drain.of(context);
            Health.add(context, this);
            context.log("httpy " + name + ": " + mount.handler.name() + " serves " + mount.routes + " with "
                    + (settings.gilPerWorker() ? settings.workers() + " Python workers, each with its own GIL"
                    : settings.workers() + " to " + settings.maxWorkers() + " Python workers")
                    + ", queue " + settings.queue() + ", timeout " + settings.timeout().toMillis() / 1000.0 + " s"
                    + (fastPathOn(started) ? "; short handlers run on request threads" : "; every request goes to the workers")
                    + (settings.health() != null ? "; it answers GET " + settings.health() + " with the web app's health" : ""));
        } catch (RuntimeException e) {
            stop(false);
            throw new ServletException("httpy " + name + " cannot start: " + asConfigured(context, e.getMessage()), e);
        }
    }

    /**
     * The path the routes match: the request's own path within the web app, as the container decoded
     * and normalised it for its mapping (so {@code ..}, {@code %2F} and {@code ;} parameters are
     * settled as the container settles them), before its mapper replaced a directory with a welcome
     * file. Tomcat maps {@code /} to {@code /index.html} before filters run; a Python route {@code /}
     * is the app's explicit claim and wins. The raw URI only says whether the request named a
     * directory (it ends in {@code /} once its path parameters are dropped).
     */
    static String requestPath(HttpServletRequest request) {
        String mapped = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (mapped.endsWith("/")) {
            return mapped;
        }
        String uri = request.getRequestURI();
        int params = uri.indexOf(';', uri.lastIndexOf('/'));
        if (params >= 0) {
            uri = uri.substring(0, params);
        }
        return uri.endsWith("/") ? mapped.substring(0, mapped.lastIndexOf('/') + 1) : mapped;
    }

    /** With a GIL per worker the handler's interpreter is the worker's own: no container thread may run it;
     *  before 3.12 a container thread's app thread state is not the one C callbacks find. */
    private boolean fastPathOn(PythonRuntime runtime) {
        return !settings.gilPerWorker() && runtime.runsOnCallerThreads();
    }

    /**
     * Loads the app in {@code runtime} and starts what serves it: finds the handler, reads the
     * routes, starts the workers (and an ASGI app's loop). Undoes what it began when a step fails.
     */
    Mount mountOn(PythonRuntime runtime) {
        long began = System.nanoTime();
        Duration startLimit = settings.startTimeout() != null ? settings.startTimeout() : runtime.startTimeout();
        PythonApp handler = settings.asgi() != null
                ? new AsgiApplication(settings.asgi(), LIFESPAN_TIMEOUT, settings.context(), settings.timeout(), settings.debug())
                : settings.wsgi() != null ? new WsgiApplication(settings.wsgi(), settings.context())
                : new RequestFunction(settings.handler(), settings.context());
        String param = settings.asgi() != null ? "python.asgi" : settings.wsgi() != null ? "python.wsgi" : "python.handler";
        runtime.startStep(name + " importing " + param + "=" + handler.name(), began, startLimit, py -> {
            named(py, () -> {
                handler.resolve(py);
                return null;
            }, param, handler.name());
            return null;
        });
        RouteTable routes = settings.init() != null ? readRoutes(runtime, settings.init(), began, startLimit)
                : !settings.routes().isEmpty() ? routesFromParam(settings.routes()) : RouteTable.matchAll();
        var workers = settings.gilPerWorker()
                ? PythonWorkers.startOwnGil(runtime, threadName, settings.workers(), settings.queue(),
                        py -> startOwnCopy(py, settings, handler))
                : PythonWorkers.start(runtime, threadName, settings.workers(), settings.maxWorkers(), settings.queue());
        try {
            // With a GIL per worker each worker started the app's own copy there (startOwnCopy); else once here.
            if (handler.startsInPython() != null && !settings.gilPerWorker()) {
                runtime.startStep(name + " running " + handler.startsInPython() + " of " + param + "=" + handler.name(),
                        began, startLimit, py -> {
                            handler.startIn(py, false);
                            return null;
                        });
            }
            handler.serveWith(workers);
            var dispatcher = new Dispatcher(threadName, workers, fastPathOn(runtime) ? runtime : null, handler,
                    new Dispatcher.Limits(settings.timeout(), settings.bodyTimeout(), settings.writeTimeout(),
                            settings.maxBody(), settings.debug()), metrics,
                    settings.gilPerWorker() ? "per-worker" : runtime.isolation().name().toLowerCase(java.util.Locale.ROOT));
            return new Mount(runtime, handler, routes, workers, dispatcher);
        } catch (RuntimeException | Error e) {
            handler.stop(runtime, ASGI_GRACE);
            workers.close();
            throw e;
        }
    }

    String filterName() {
        return filterName;
    }

    /** The workers serving now; null before the filter started. */
    Load load() {
        Mount now = mount;
        if (now == null) {
            return null;
        }
        return new Load(now.workers.size(), now.workers.busy(), now.workers.busyLongerThan(settings.timeout().toNanos()),
                now.workers.queued(), now.dispatcher.admitted(), settings.timeout().toMillis() / 1000.0);
    }

    /** Serves from {@code next} from now on; returns the mount it replaced, for {@link #retire}. */
    Mount swap(Mount next) {
        Mount old = mount;
        mount = next;
        return old;
    }

    /**
     * Stops {@code old}: while {@code drain} says so, after the requests it took have been answered
     * (at most python.timeout and 5 s more; the web app stopping meanwhile cuts it short); then an
     * ASGI app's shutdown and the workers' stop.
     */
    void retire(Mount old, java.util.function.BooleanSupplier drain) {
        retire(old, drain, PythonWorkers.STOP_GRACE);
    }

    /** {@link #retire(Mount, java.util.function.BooleanSupplier)}, giving Python work still running {@code grace} to end. */
    private void retire(Mount old, java.util.function.BooleanSupplier drain, Duration grace) {
        boolean draining = drain.getAsBoolean();
        if (!old.dispatcher.retire(draining ? settings.timeout().plusSeconds(5) : Duration.ZERO, drain) && draining
                && drain.getAsBoolean()) {
            LOG.log(System.Logger.Level.WARNING, "httpy {0}: {1} requests of the replaced interpreter were still"
                    + " unanswered after python.timeout; stopping them", name, old.dispatcher.admitted());
        }
        old.handler.stop(old.runtime, ASGI_GRACE);
        old.dispatcher.close(grace);
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
    private static void startOwnCopy(dev.httpy.python.Python py, FilterSettings settings, PythonApp function) {
        try {
            function.resolve(py);
            if (settings.init() != null) {
                py.call(py.cachedFunction(settings.init()));
            }
            function.startIn(py, true);
        } catch (PythonException e) {
            String refused = refusedModule(py, e);
            String hint = refused != null ? "; " + refused + " cannot load in an interpreter with its own GIL, so set"
                    + " python.gil=shared (and leave python.interpreter unset, or main)"
                    : e.pythonMessage().contains("sub-interpreter")
                    ? "; this module cannot run in an interpreter with its own GIL, so set python.gil=shared" : "";
            throw new IllegalArgumentException("init-param python.gil=per-worker: starting a copy of the app failed: "
                    + e.getMessage() + hint + (e.pythonTraceback().isEmpty() ? "" : "\n" + e.pythonTraceback()), e);
        }
    }

    private RouteTable readRoutes(PythonRuntime runtime, String initSpec, long began, Duration startLimit) {
        Map<?, ?> table = runtime.startStep(name + " calling python.init=" + initSpec, began, startLimit, py -> {
            var init = named(py, () -> py.function(initSpec), "python.init", initSpec);
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

    private static <T> T named(dev.httpy.python.Python py, java.util.function.Supplier<T> lookup, String param,
                               String value) {
        try {
            return lookup.get();
        } catch (PythonException e) {
            String refused = refusedModule(py, e);
            String hint = refused == null ? "" : "; the extension module " + refused + " refuses to load in a"
                    + " sub-interpreter, so set the context-param python.interpreter=main (or leave it unset: auto"
                    + " then chooses main)";
            throw new IllegalArgumentException("init-param " + param + "=" + value + ": " + e.getMessage() + hint
                    + (e.pythonTraceback().isEmpty() ? "" : "\n" + e.pythonTraceback()), e);
        }
    }

    /**
     * The extension module whose refusal of sub-interpreters made {@code e}, or null: Python's
     * {@code _httpy.refusal_in} reads it from the error's message and traceback, as it does for
     * python.interpreter=auto's choice, so CPython's wording is known in one place.
     */
    static String refusedModule(dev.httpy.python.Python py, PythonException e) {
        dev.httpy.python.PythonObject reader = null;
        try {
            reader = py.function("_httpy:refusal_in");
            return py.call(reader, e.pythonMessage() + "\n" + e.pythonTraceback()) instanceof String module ? module : null;
        } catch (RuntimeException unreadable) {
            return null; // only a hint: the error itself is reported either way
        } finally {
            if (reader != null) {
                py.release(reader);
            }
        }
    }

    @Override
    public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
            throws IOException, ServletException {
        if (!(servletRequest instanceof HttpServletRequest request)
                || !(servletResponse instanceof HttpServletResponse response)) {
            chain.doFilter(servletRequest, servletResponse);
            return;
        }
        String path = requestPath(request);
        if (path.equals(settings.health()) && isGetOrHead(request.getMethod())) {
            answerHealth(request, response);
            return;
        }
        Mount serving = drain.begun() ? null : admit();
        if (serving == null) {
            whileStopping(request, response, chain, path);
            return;
        }
        var dispatcher = serving.dispatcher;
        if (!(serving.routes.match(request.getMethod(), path) instanceof RouteMatch.Found found)) {
            dispatcher.leave();
            chain.doFilter(request, response);
            return;
        }
        if (replacer != null) {
            replacer.counted();
        }
        dispatcher.serve(request, response, path, found);
    }

    private static boolean isGetOrHead(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /**
     * The web app's {@link Health} as JSON, from what the filters track (no Python call): 200 while
     * it serves, 503 with the reason while it does not; never cached.
     */
    private void answerHealth(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Health health = Health.of(context);
        byte[] body = health.json().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setStatus(health.up() ? 200 : 503);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        if (request.getMethod().equals("GET")) {
            response.getOutputStream().write(body);
        }
    }

    /**
     * A request that came while the web app stops: 503, with Retry-After and Connection: close so
     * that the client retries elsewhere (on a new connection, which a load balancer sends to a
     * node that serves), when it is one of the app's; down the chain when it is not.
     */
    private void whileStopping(HttpServletRequest request, HttpServletResponse response, FilterChain chain, String path)
            throws IOException, ServletException {
        if (!(mount.routes.match(request.getMethod(), path) instanceof RouteMatch.Found)) {
            chain.doFilter(request, response);
            return;
        }
        Dispatcher.reply(request, response, 503, HttpyAnswers.stopping("the web app"),
                "Retry-After", HttpyAnswers.RETRY_AFTER_SECONDS, "Connection", "close");
    }

    /**
     * The mount that takes this request: the current one, or the one that replaced it while we
     * looked; null once the filter is stopping.
     */
    private Mount admit() {
        while (true) {
            Mount serving = mount;
            if (serving.dispatcher.admit()) {
                return serving;
            }
            if (serving == mount) {
                return null;
            }
        }
    }

    /**
     * Drains, then stops: the web app's health turns DOWN and new requests get 503 at once (in
     * every filter of the app, from the first one the container stops), the requests this filter
     * took may finish for python.drain-timeout, and then its Python stops: a handler still running
     * gets TimeoutError, as at python.timeout.
     */
    @Override
    public void destroy() {
        stop(true);
    }

    /** Stops serving; with {@code draining}, after the requests in flight (not when the start failed). */
    private void stop(boolean draining) {
        if (draining && drain != null && mount != null) {
            drain.begin(settings.drainTimeout());
        }
        if (replacer != null) {
            replacer.remove(this); // waits for a replacement under way, so the mount below is the last
            replacer = null;
        }
        Mount last = mount;
        long began = System.nanoTime();
        boolean drained = last == null || !draining || drainRequests(last);
        if (mbean != null) {
            mbean.unregister();
            mbean = null;
        }
        if (context != null) {
            Health.remove(context, this);
        }
        if (last != null) {
            LOG.log(System.Logger.Level.INFO, "stopping Python workers; {0} requests were refused with 503 while"
                    + " the queue was full", last.dispatcher.rejected());
            retire(last, () -> false, draining ? graceLeft(drained, began) : PythonWorkers.STOP_GRACE);
        }
    }

    /**
     * How long Python work still running after the drain (a handler whose client the container
     * dropped) may end by itself: what is left of python.drain-timeout, at most the workers' usual
     * grace; nothing once the drain ran out.
     */
    private Duration graceLeft(boolean drained, long drainBegan) {
        Duration left = settings.drainTimeout().minusNanos(System.nanoTime() - drainBegan);
        if (!drained || left.isNegative()) {
            return Duration.ZERO;
        }
        return left.compareTo(PythonWorkers.STOP_GRACE) < 0 ? left : PythonWorkers.STOP_GRACE;
    }

    /**
     * Takes no more requests and waits, at most python.drain-timeout, for those taken to be
     * answered; true if they all were.
     */
    private boolean drainRequests(Mount last) {
        long inFlight = last.dispatcher.admitted();
        Duration limit = settings.drainTimeout();
        long began = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "httpy {0}: the web app is stopping; {1} requests in flight may finish"
                + " for python.drain-timeout={2} s, new ones get 503", name, inFlight, limit.toMillis() / 1000.0);
        if (last.dispatcher.retire(limit, () -> true)) {
            if (inFlight > 0) {
                LOG.log(System.Logger.Level.INFO, "httpy {0}: the requests in flight were answered in {1} ms", name,
                        (System.nanoTime() - began) / 1_000_000);
            }
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "httpy {0}: {1} requests were still unanswered after python.drain-timeout="
                + "{2} s; stopping Python under them (a handler still running gets TimeoutError)", name,
                last.dispatcher.admitted(), limit.toMillis() / 1000.0);
        return false;
    }
}
