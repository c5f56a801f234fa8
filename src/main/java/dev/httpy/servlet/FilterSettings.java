package dev.httpy.servlet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import dev.httpy.dispatch.RequestContext;

/**
 * The {@link PythonDispatchFilter}'s {@code <init-param>}s, read and checked once.
 *
 * @param handler  {@code python.handler}: module:function of the request function, or null with wsgi
 * @param wsgi     {@code python.wsgi}: module:app of a WSGI application, or null
 * @param asgi     {@code python.asgi}: module:app of an ASGI 3 application, or null; exactly one of the three
 * @param routes   {@code python.routes}: route patterns (all methods) when there is no init function
 * @param init     {@code python.init}: module:function returning the route map, or null: all requests
 * @param workers  {@code python.workers}: Python worker threads kept warm (default 4)
 * @param maxWorkers {@code python.max-workers}: the most worker threads while handlers wait (default 200)
 * @param queue    {@code python.queue}: requests that may wait for a worker before 503 (default 1000)
 * @param timeout  {@code python.timeout}: seconds before a 504 (default 30)
 * @param bodyTimeout {@code python.body-timeout}: seconds a request body may send nothing before a 408 (default 20)
 * @param writeTimeout {@code python.write-timeout}: seconds a client may accept nothing of its answer before it is dropped (default 20)
 * @param maxBody  {@code python.max-body}: largest request body in bytes, else 413 (default 10 MiB)
 * @param debug    {@code python.debug}: send Python tracebacks to clients (default false)
 * @param gilPerWorker {@code python.gil}: {@code shared} (default) or {@code per-worker}, each worker
 *                 a sub-interpreter with its own GIL and its own copy of the app (Python 3.12+)
 * @param context  what of the servlet request Python's {@code httpy.request()} sees beyond the
 *                 handler's arguments ({@link RequestContext})
 * @param startTimeout {@code python.start-timeout}: this filter's own start-up limit, or null for the web app's
 * @param health   {@code python.health}: the path the filter answers with the web app's {@link Health}
 *                 itself, or null (default: none)
 * @param drainTimeout {@code python.drain-timeout}: how long the requests in flight may finish when the
 *                 web app stops, before Python stops under them (default 20 s; 0: not at all)
 */
public record FilterSettings(String handler, String wsgi, String asgi, List<String> routes, String init, int workers, int maxWorkers,
                             int queue, Duration timeout, Duration bodyTimeout, Duration writeTimeout, long maxBody,
                             boolean debug, boolean gilPerWorker, RequestContext.Settings context, Duration startTimeout,
                             String health, Duration drainTimeout) {

    /**
     * @param roles      {@code python.roles}: the roles {@code is_user_in_role} may ask the container about
     * @param attributes {@code python.attributes}: the request attributes Python may read, or null for all
     * @param session    {@code python.session}: {@code read-write} (default), {@code create} (Python may
     *                   also start one) or {@code off}
     */
    static final int DEFAULT_WORKERS = 4;
    static final int DEFAULT_MAX_WORKERS = 200;
    static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(20);
    static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(20);
    static final int DEFAULT_QUEUE = 1000;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final long DEFAULT_MAX_BODY = 10L * 1024 * 1024;
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(20);
    /** Every init-param this filter reads; also what {@link HttpyInitializer} takes from context-params. */
    static final Set<String> KNOWN = Set.of("python.handler", "python.wsgi", "python.asgi", "python.routes", "python.init", "python.workers",
            "python.max-workers", "python.queue", "python.timeout", "python.body-timeout", "python.write-timeout",
            "python.max-body", "python.debug", "python.gil", "python.roles", "python.attributes", "python.session",
            "python.start-timeout", "python.health", "python.drain-timeout");

    /** Reads the init-params; throws IllegalArgumentException naming the first bad one. */
    public static FilterSettings read(Collection<String> names, Function<String, String> values) {
        return read("init-param", names, values);
    }

    /**
     * Reads the parameters; {@code kind} ({@code init-param}, or {@code context-param} for the filter
     * {@link HttpyInitializer} adds) is what the messages call them.
     */
    static FilterSettings read(String kind, Collection<String> names, Function<String, String> values) {
        var params = new Params(kind, names, values, KNOWN);
        String handler = params.function("python.handler", false);
        String wsgi = params.function("python.wsgi", false);
        String asgi = params.function("python.asgi", false);
        List<String> set = new ArrayList<>();
        if (handler != null) {
            set.add("python.handler=" + handler);
        }
        if (wsgi != null) {
            set.add("python.wsgi=" + wsgi);
        }
        if (asgi != null) {
            set.add("python.asgi=" + asgi);
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException(kind + " python.handler (a request function, module:function),"
                    + " python.wsgi (a WSGI app, module:app) or python.asgi (an ASGI app, module:app) is required");
        }
        if (set.size() > 1) {
            throw new IllegalArgumentException(kind + "s " + String.join(" and ", set) + " are set together; give one");
        }
        String routeList = params.string("python.routes");
        List<String> routes = routeList == null ? List.of()
                : Arrays.stream(routeList.split("[,\\s]+")).filter(r -> !r.isEmpty()).toList();
        String init = params.function("python.init", false);
        if (init != null && !routes.isEmpty()) {
            throw new IllegalArgumentException(kind + "s python.init=" + init + " and python.routes=" + routeList
                    + " are both set; the init function's route map or the patterns, not both");
        }
        int workers = params.positiveInt("python.workers", DEFAULT_WORKERS);
        int maxWorkers = params.positiveInt("python.max-workers", Math.max(DEFAULT_MAX_WORKERS, workers));
        if (maxWorkers < workers) {
            throw new IllegalArgumentException(kind + " python.max-workers=" + maxWorkers + " is below python.workers="
                    + workers + "; the ceiling must be at least the workers kept warm: raise it or lower python.workers");
        }
        return new FilterSettings(handler, wsgi, asgi, routes, init, workers, maxWorkers,
                params.positiveInt("python.queue", DEFAULT_QUEUE),
                params.seconds("python.timeout", DEFAULT_TIMEOUT),
                params.seconds("python.body-timeout", DEFAULT_BODY_TIMEOUT),
                params.seconds("python.write-timeout", DEFAULT_WRITE_TIMEOUT),
                params.bytes("python.max-body", DEFAULT_MAX_BODY),
                params.bool("python.debug"),
                params.choice("python.gil", "shared", "per-worker").equals("per-worker"),
                new RequestContext.Settings(names(params.string("python.roles")),
                        params.string("python.attributes") == null ? null : names(params.string("python.attributes")),
                        params.choice("python.session", "read-write", "create", "off")),
                // null: the web app's context-param (RuntimeSettings), which has the default
                params.string("python.start-timeout") == null ? null
                        : params.secondsOrNone("python.start-timeout", RuntimeSettings.DEFAULT_START_TIMEOUT),
                params.path("python.health", "/healthz"),
                params.secondsOrZero("python.drain-timeout", DEFAULT_DRAIN_TIMEOUT, "0 to stop Python at once"));
    }

    private static List<String> names(String list) {
        return list == null ? List.of() : Arrays.stream(list.split("[,\\s]+")).filter(n -> !n.isEmpty()).toList();
    }
}
