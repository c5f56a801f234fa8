package dev.httpy.e2e;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.httpy.it.HttpClientSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A web app with Micrometer in WEB-INF/lib that adds its registry to Micrometer's global one, in a
 * real Tomcat: after real requests of each kind (200, 500, 413, and 503 from a full queue), the
 * filter's meters there count exactly what was sent.
 */
class TomcatMicrometerIT {
    private static final String FILTER = "{app=it_app:go_request,context=/mm,filter=python}";

    @Test
    void theFiltersMetersInTheAppsRegistryCountWhatItServed() throws Exception {
        try (var server = ServerProcess.tomcat("tomcat-micrometer")) {
            server.deploy(Wars.micrometerWar(), "mm");
            // /meters is the app's servlet, not a Python route: Python's requests below are all there are.
            server.start().awaitStatus("/mm/meters", 200);
            for (int i = 0; i < 20; i++) {
                assertEquals(200, HttpClientSupport.get(server.uri("/mm/python")).statusCode());
            }
            assertEquals(500, HttpClientSupport.get(server.uri("/mm/fail/exit")).statusCode());
            try (var raw = RawHttp.connect(server, 0)) {
                assertEquals(413, raw.head("POST", "/mm/inspect", 20_000_000).read().status());
            }
            // One worker and a queue of one: while one handler sleeps, one of four more waits and three are refused.
            Path started = server.base().resolve("slow-started");
            var slow = getLater(server, "/mm/slow?seconds=4&started=" + started);
            while (!Files.exists(started)) {
                assertTrue(!slow.isDone(), "the slow handler answered before it started: " + slow.getNow(null));
                Thread.sleep(10);
            }
            var more = new ArrayList<CompletableFuture<HttpResponse<String>>>();
            for (int i = 0; i < 4; i++) {
                more.add(getLater(server, "/mm/slow?seconds=4"));
            }
            assertEquals(200, slow.get(60, TimeUnit.SECONDS).statusCode());
            var statuses = new ArrayList<Integer>();
            for (var answer : more) {
                statuses.add(answer.get(60, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(List.of(200, 503, 503, 503), statuses.stream().sorted().toList());

            Map<String, Double> meters = awaitAllAnswered(server, 27);
            assertEquals(27, meters.get("httpy.requests" + FILTER + " COUNT"), "20 + 1 + 1 + 5");
            assertEquals(3, meters.get("httpy.refused" + FILTER + " COUNT"));
            assertEquals(1, meters.get("httpy.failed" + FILTER + " COUNT"));
            assertEquals(1, meters.get("httpy.too.large" + FILTER + " COUNT"));
            assertEquals(0, meters.get("httpy.timed.out" + FILTER + " COUNT"));
            assertEquals(0, meters.get("httpy.queued" + FILTER + " VALUE"));
            assertEquals(0, meters.get("httpy.workers.busy" + FILTER + " VALUE"));
            assertEquals(1, meters.get("httpy.workers" + FILTER + " VALUE"));
            // Two handlers slept 4 s each; Micrometer's SimpleMeterRegistry reports time in seconds.
            double latencySeconds = meters.get("httpy.latency" + FILTER + " TOTAL_TIME");
            assertTrue(latencySeconds >= 8, "latency total " + latencySeconds);
            double p50 = meters.get("httpy.latency.percentile{app=it_app:go_request,context=/mm,filter=python,phi=0.5} VALUE");
            double p99 = meters.get("httpy.latency.percentile{app=it_app:go_request,context=/mm,filter=python,phi=0.99} VALUE");
            assertTrue(p50 > 0 && p50 <= p99 && p99 >= 4, "p50 " + p50 + " s, p99 " + p99 + " s");
            assertTrue(meters.get("httpy.gil.wait" + FILTER + " COUNT") >= 23, "each request that reached Python took the GIL");
            assertTrue(meters.get("httpy.gil.wait" + FILTER + " TOTAL_TIME") > 0);
        }
    }

    private static CompletableFuture<HttpResponse<String>> getLater(ServerProcess server, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return HttpClientSupport.get(server.uri(path));
            } catch (Exception e) {
                throw new IllegalStateException(path, e);
            }
        });
    }

    /**
     * The listing once nothing is in flight and {@code answered} requests are in the latency (the
     * last answers are counted as their exchanges end, a moment after the client has them).
     */
    private static Map<String, Double> awaitAllAnswered(ServerProcess server, int answered) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Map<String, Double> meters;
        do {
            meters = listing(server);
            if (Double.valueOf(0).equals(meters.get("httpy.in.flight" + FILTER + " VALUE"))
                    && Double.valueOf(answered).equals(meters.get("httpy.latency" + FILTER + " COUNT"))) {
                return meters;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not all " + answered + " requests answered: " + meters);
    }

    private static Map<String, Double> listing(ServerProcess server) throws Exception {
        var response = HttpClientSupport.get(server.uri("/mm/meters"));
        assertEquals(200, response.statusCode(), response.body());
        var meters = new HashMap<String, Double>();
        for (String line : response.body().lines().toList()) {
            int last = line.lastIndexOf(' ');
            meters.put(line.substring(0, last), Double.parseDouble(line.substring(last + 1)));
        }
        return meters;
    }
}
