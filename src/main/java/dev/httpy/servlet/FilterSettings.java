package dev.httpy.servlet;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@link PythonDispatchFilter}'s {@code <init-param>}s, read and checked once.
 *
 * @param handler  {@code python.handler}: module:function of the request function (required)
 * @param init     {@code python.init}: module:function returning the route map, or null: all requests
 * @param workers  {@code python.workers}: Python worker threads (default 4)
 * @param queue    {@code python.queue}: requests that may wait for a worker before 503 (default 1000)
 * @param timeout  {@code python.timeout}: seconds before a 504 (default 30)
 * @param maxBody  {@code python.max-body}: largest request body in bytes, else 413 (default 10 MiB)
 * @param debug    {@code python.debug}: send Python tracebacks to clients (default false)
 * @param gilPerWorker {@code python.gil}: {@code shared} (default) or {@code per-worker}, each worker
 *                 a sub-interpreter with its own GIL and its own copy of the app (Python 3.12+)
 */
public record FilterSettings(String handler, String init, int workers, int queue, Duration timeout, long maxBody,
                             boolean debug, boolean gilPerWorker) {
    static final int DEFAULT_WORKERS = 4;
    static final int DEFAULT_QUEUE = 1000;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final long DEFAULT_MAX_BODY = 10L * 1024 * 1024;
    private static final Set<String> KNOWN = Set.of("python.handler", "python.init", "python.workers", "python.queue",
            "python.timeout", "python.max-body", "python.debug", "python.gil");

    /** Reads the init-params; throws IllegalArgumentException naming the first bad one. */
    public static FilterSettings read(Collection<String> names, Function<String, String> values) {
        var params = new Params("init-param", names, values, KNOWN);
        return new FilterSettings(
                params.function("python.handler", true),
                params.function("python.init", false),
                params.positiveInt("python.workers", DEFAULT_WORKERS),
                params.positiveInt("python.queue", DEFAULT_QUEUE),
                params.seconds("python.timeout", DEFAULT_TIMEOUT),
                params.bytes("python.max-body", DEFAULT_MAX_BODY),
                params.bool("python.debug"),
                params.choice("python.gil", "shared", "per-worker").equals("per-worker"));
    }
}
