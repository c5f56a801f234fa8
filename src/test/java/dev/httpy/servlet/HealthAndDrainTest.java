package dev.httpy.servlet;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * python.health and python.drain-timeout on the embedded CPython, through the filter's own
 * {@code doFilter} and {@code destroy} as a container calls them: the health path is answered by
 * the filter from what it tracks, without Python; a filter that stops lets the requests it took
 * finish, refuses new ones and says DOWN meanwhile, for the whole web app, and stops a handler that
 * outlives the limit.
 */
class HealthAndDrainTest {
    private static final String APP = """
            import time

            def handle(method, path, params, query, headers, body):
                if path == "/sleep":
                    time.sleep(float(query["seconds"][0]))
                    return 200, "slept", {}
                if path == "/spin":
                    end = time.monotonic() + float(query["seconds"][0])
                    while time.monotonic() < end:  # pure Python: a TimeoutError stops it
                        pass
                    return 200, "span", {}
                return 200, "python saw " + method + " " + path, {}
            """;

    @TempDir
    Path webapp;

    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService clients = Executors.newCachedThreadPool(); // platform threads: they may run Python
    private ServletContext context;
    private PythonLifecycleListener listener;
    private final List<PythonDispatchFilter> filters = new ArrayList<>();

    @BeforeEach
    void startPython() throws Exception {
        Files.createDirectories(webapp.resolve("WEB-INF/python"));
        Files.writeString(webapp.resolve("WEB-INF/python/drain_app.py"), APP);
        context = context();
        listener = new PythonLifecycleListener();
        listener.contextInitialized(new ServletContextEvent(context));
    }

    @AfterEach
    void stopPython() throws Exception {
        for (var filter : filters) {
            filter.destroy();
        }
        listener.contextDestroyed(new ServletContextEvent(context));
        clients.shutdownNow();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS), "a request never ended");
    }

    @Test
    void theHealthPathIsAnsweredByTheFilterAsJsonWithoutReachingPython() throws Exception {
        // given: an app whose catch-all route would answer any path
        filter("python", "python.routes", "/*path", "python.health", "/healthz");
        // when
        var health = request("GET", "/healthz");
        var head = request("HEAD", "/healthz");
        var posted = request("POST", "/healthz");
        var other = request("GET", "/other");
        // then: the filter answered GET and HEAD; other methods and paths are the app's
        assertEquals(200, health.status, health.text());
        assertEquals("application/json", health.header("Content-Type"));
        assertEquals("no-store", health.header("Cache-Control"));
        assertTrue(health.text().matches("\\{\"status\":\"UP\",\"python\":\"3\\.\\d+\\.\\d+[^\"]*\",\"interpreter\":\"isolated\","
                + "\"filters\":\\{\"python\":\\{\"workers\":4,\"busy\":0,\"stuck\":0,\"queued\":0,\"inFlight\":0}}}\n"),
                health.text());
        assertEquals(200, head.status);
        assertEquals("", head.text());
        assertEquals(String.valueOf(health.body.size()), head.header("Content-Length"));
        assertEquals("python saw POST /healthz", posted.text());
        assertEquals("python saw GET /other", other.text());
    }

    @Test
    void healthIsDownWithTheReasonWhileEveryWorkerIsStuckPastTheTimeout() throws Exception {
        // given: one worker, and a handler that sleeps in C past python.timeout
        filter("python", "python.routes", "/sleep", "python.health", "/healthz", "python.workers", "1",
                "python.max-workers", "1", "python.timeout", "0.3");
        var stuck = clients.submit(() -> request("GET", "/sleep", "seconds=2"));
        // when
        Answer down = awaitHealth(503);
        // then
        assertTrue(down.text().startsWith("{\"status\":\"DOWN\",\"reason\":\"every one of the 1 workers of filter python"
                + " has been in one request for longer than python.timeout=0.3 s"), down.text());
        assertTrue(down.text().contains("\"stuck\":1"), down.text());
        assertEquals(504, stuck.get(10, TimeUnit.SECONDS).status);
        awaitHealth(200);
    }

    @Test
    void aStoppingFilterLetsItsRequestInFlightFinishAndRefusesNewOnes() throws Exception {
        // given: a request in Python for 1.5 s
        var filter = filter("python", "python.routes", "/sleep, /hello", "python.health", "/healthz");
        var inFlight = clients.submit(() -> request("GET", "/sleep", "seconds=1.5"));
        awaitInFlight(1);
        // when: the container stops the filter
        long stopping = System.nanoTime();
        Future<?> destroyed = clients.submit(filter::destroy);
        Answer health = awaitHealth(503);
        Answer refused = request("GET", "/hello");
        // then: health says why, a new request is refused, and the stop waits for the one in flight
        assertTrue(health.text().startsWith("{\"status\":\"DOWN\",\"reason\":\"the web app is stopping: its Python"
                + " requests in flight may finish (python.drain-timeout=20.0 s) and new ones get 503\""), health.text());
        assertTrue(health.text().contains("\"inFlight\":1"), health.text());
        assertEquals(503, refused.status);
        assertEquals("1", refused.header("Retry-After"));
        assertEquals("close", refused.header("Connection"));
        assertEquals("503 Service Unavailable: the web app is stopping\n", refused.text());
        assertFalse(destroyed.isDone(), "the stop did not wait for the request in flight");
        var answered = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, answered.status);
        assertEquals("slept", answered.text());
        destroyed.get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - stopping < TimeUnit.SECONDS.toNanos(5), "the stop outlasted its request");
        filters.remove(filter);
    }

    @Test
    void theFirstFilterToStopTakesTheWholeWebAppDown() throws Exception {
        // given: two filters, the first with a request in flight
        var first = filter("first", "python.routes", "/sleep");
        filter("second", "python.routes", "/hello", "python.health", "/healthz");
        var inFlight = clients.submit(() -> request("GET", "/sleep", "seconds=1.5"));
        awaitInFlight(1);
        // when: the container stops the first
        Future<?> destroyed = clients.submit(first::destroy);
        Answer health = awaitHealth(503);
        // then: the second, still running, refuses new requests and says DOWN too
        assertTrue(health.text().contains("\"reason\":\"the web app is stopping"), health.text());
        assertEquals(503, request("GET", "/hello").status);
        assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).status);
        destroyed.get(10, TimeUnit.SECONDS);
        filters.remove(first);
    }

    @Test
    void aDrainCutShortStopsTheHandlerStillRunningAtItsLimit() throws Exception {
        // given: a handler that would run 20 s, and half a second to drain
        var filter = filter("python", "python.routes", "/spin", "python.drain-timeout", "0.5");
        var inFlight = clients.submit(() -> request("GET", "/spin", "seconds=20"));
        awaitInFlight(1);
        // when
        long stopping = System.nanoTime();
        filter.destroy();
        filters.remove(filter);
        // then: the stop ends soon after the limit, and so does the request, with an error rather than never
        double took = (System.nanoTime() - stopping) / 1e9;
        assertTrue(took >= 0.5 && took < 3, "the stop took " + took + " s");
        var answer = inFlight.get(5, TimeUnit.SECONDS);
        assertTrue(answer.status >= 500, answer.status + " " + answer.text());
    }

    @Test
    void pythonWorkWhoseRequestWasAnsweredGetsNoMoreThanTheDrainLimit() throws Exception {
        // given: a handler sleeping in C that python.timeout already answered for (504), and a 1 s drain
        var filter = filter("python", "python.routes", "/sleep", "python.timeout", "0.3", "python.drain-timeout", "1");
        assertEquals(504, request("GET", "/sleep", "seconds=8").status);
        // when
        long stopping = System.nanoTime();
        filter.destroy();
        filters.remove(filter);
        // then: within the limit and the second a stuck thread gets after TimeoutError, not the workers' 4 s grace
        double took = (System.nanoTime() - stopping) / 1e9;
        assertTrue(took < 3, "the stop took " + took + " s");
    }

    // ---- the container's side ----

    /** A started filter named {@code name} serving drain_app:handle with these init-params (names and values in turn). */
    private PythonDispatchFilter filter(String name, String... params) throws Exception {
        Map<String, String> init = new LinkedHashMap<>(Map.of("python.handler", "drain_app:handle"));
        for (int i = 0; i < params.length; i += 2) {
            init.put(params[i], params[i + 1]);
        }
        var config = (FilterConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FilterConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getFilterName" -> name;
                    case "getServletContext" -> context;
                    case "getInitParameterNames" -> Collections.enumeration(init.keySet());
                    case "getInitParameter" -> init.get((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        var filter = new PythonDispatchFilter();
        filter.init(config);
        filters.add(filter);
        return filter;
    }

    /** One answer as the client got it. */
    record Answer(int status, Map<String, String> headers, ByteArrayOutputStream body) {
        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private Answer request(String method, String path) throws Exception {
        return request(method, path, null);
    }

    /**
     * {@code method path?query} through the web app's filters in order, as a container without async
     * support runs them (the filter then waits for Python on this thread); the chain's end answers 404.
     */
    private Answer request(String method, String path, String query) throws Exception {
        Map<String, Object> requestAttributes = new ConcurrentHashMap<>();
        var request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getServletPath" -> path;
                    case "getRequestURI" -> "/app" + path;
                    case "getContextPath" -> "/app";
                    case "getQueryString" -> query;
                    case "getHeaderNames", "getHeaders" -> Collections.emptyEnumeration();
                    case "getContentLengthLong" -> -1L;
                    case "getContentLength" -> -1;
                    case "getAttribute" -> requestAttributes.get((String) args[0]);
                    case "setAttribute" -> requestAttributes.put((String) args[0], args[1]);
                    case "removeAttribute" -> requestAttributes.remove((String) args[0]);
                    case "getAttributeNames" -> Collections.enumeration(requestAttributes.keySet());
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> defaultOf(m.getReturnType());
                });
        var body = new ByteArrayOutputStream();
        var out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException("not asynchronous");
            }

            @Override
            public void write(int b) {
                body.write(b);
            }
        };
        Map<String, String> headers = new ConcurrentHashMap<>();
        int[] status = {200};
        var response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "setStatus" -> {
                        status[0] = (Integer) args[0];
                        yield null;
                    }
                    case "getStatus" -> status[0];
                    case "setHeader", "addHeader" -> {
                        headers.merge(((String) args[0]).toLowerCase(), (String) args[1],
                                m.getName().equals("setHeader") ? (a, b) -> b : (a, b) -> a + ", " + b);
                        yield null;
                    }
                    case "containsHeader" -> headers.containsKey(((String) args[0]).toLowerCase());
                    case "setContentType" -> headers.put("content-type", (String) args[0]);
                    case "setContentLength", "setContentLengthLong" -> headers.put("content-length", String.valueOf(args[0]));
                    case "getOutputStream" -> out;
                    case "getBufferSize" -> 8192;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> defaultOf(m.getReturnType());
                });
        chain(0).doFilter(request, response);
        return new Answer(status[0], headers, body);
    }

    private jakarta.servlet.FilterChain chain(int next) {
        return (request, response) -> {
            if (next < filters.size()) {
                filters.get(next).doFilter(request, response, chain(next + 1));
            } else {
                ((HttpServletResponse) response).setStatus(404);
            }
        };
    }

    private static Object defaultOf(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        return null;
    }

    private Answer awaitHealth(int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            var health = request("GET", "/healthz");
            if (health.status == status || System.nanoTime() > deadline) {
                assertEquals(status, health.status, health.text());
                return health;
            }
            Thread.sleep(20);
        }
    }

    /** Waits until the filters have taken {@code n} requests that are not answered yet. */
    private void awaitInFlight(long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (filters.stream().mapToLong(f -> f.load().inFlight()).sum() < n) {
            assertTrue(System.nanoTime() < deadline, "the request never reached the filter");
            Thread.sleep(10);
        }
        Thread.sleep(100); // and is in Python
    }

    private ServletContext context() {
        return TestContexts.of(attributes, log, Map.of("python.path", "/WEB-INF/python", "python.interpreter", "isolated"),
                webapp, false);
    }
}
