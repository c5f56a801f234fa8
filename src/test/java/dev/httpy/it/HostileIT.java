package dev.httpy.it;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.httpy.workers.PythonWorkers;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.httpy.it.HttpClientSupport.get;
import static dev.httpy.it.HttpClientSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile handlers and hostile requests against the packaged WAR in an embedded Tomcat: each gets
 * its exact status, and the next normal request is served.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HostileIT {

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        File war = new File(System.getProperty("httpy.test.war", "target/httpy.war"));
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class, war);
        archive.delete("WEB-INF/web.xml");
        return archive.setWebXML(new File("src/test/resources/it/hostile-web.xml"))
                .addAsWebInfResource(new File("src/test/resources/it/hostile_app.py"), "python/hostile_app.py");
    }

    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/$", "") + path);
    }

    private void nextRequestIsServed() throws Exception {
        var ok = get(uri("/hostile/ok"));
        assertEquals(200, ok.statusCode());
        assertEquals("ok", ok.body());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/hostile/recursion,        500",
        "/hostile/keyboard,         500",
        "/hostile/raise-systemexit, 500",
        "/hostile/exit,             500",
        "/hostile/fork,             500",
        "/hostile/header-name,      500",
        "/hostile/header-crlf,      500",
        "/hostile/header-lf,        500",
        "/hostile/header-cr,        500",
        "/hostile/header-nul,       500",
        "/hostile/body-type,        500",
        "/hostile/status-str,       500",
        "/hostile/status-range,     500",
        "/hostile/shape,            500",
        "/hostile/none-headers,     204",
        "/hostile/alloc,            200",
        "/hostile/thread,           200",
    })
    void aHostileHandlerGetsItsStatusAndTheServerKeepsServing(String path, int status) throws Exception {
        long start = System.nanoTime();
        var response = get(uri(path));
        System.out.println("HostileIT: " + path + " -> " + response.statusCode() + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertEquals(status, response.statusCode(), response.body());
        if (status == 500) {
            assertEquals("500 Internal Server Error\n", response.body(), "no traceback without python.debug");
        }
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty());
        nextRequestIsServed();
    }

    @Test
    void aSpinningHandlerGets504AndItsWorkerIsInterruptedAndComesBack() throws Exception {
        // As many spins as the /spin filter has workers (2, timeout 1 s): unless each worker is
        // interrupted and comes back, none is left for the next request.
        for (int i = 0; i < 2; i++) {
            assertEquals(504, get(uri("/spin/spin")).statusCode());
        }
        var next = get(uri("/spin/ok"));
        assertEquals(200, next.statusCode(), next.body());
    }

    @Test
    void aHandlerThatWaitsDoesNotHoldUpTheNextRequest() throws Exception {
        // Long requests first, so that the /hostile workers take turns on their GIL (PythonWorkers);
        // then one that sleeps 3 s and, while it sleeps, a quick one that must not wait for it.
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(uri("/hostile/sleep?seconds=0.02")).statusCode());
        }
        Thread.sleep(1500); // idle workers look for a turn once their 1 s wait for a task ends
        var sleeping = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(uri("/hostile/sleep?seconds=3")).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        var quick = get(uri("/hostile/ok"));
        assertEquals(200, quick.statusCode(), quick.body());
        assertFalse(sleeping.isDone(), "the quick request was answered only after the sleeping one");
        assertEquals(200, sleeping.get().statusCode());
    }

    @Test
    void perWorkerGilInterpretersServeAndRecoverFromASpin() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertEquals(504, get(uri("/pergil/spin")).statusCode());
        }
        for (int i = 0; i < 10; i++) {
            var ok = get(uri("/pergil/ok"));
            assertEquals(200, ok.statusCode(), ok.body());
        }
        assertEquals(500, get(uri("/pergil/fork")).statusCode());
    }

    @Test
    void debugModeSendsTheTracebackAsText() throws Exception {
        var response = get(uri("/debug/unknown-route"));
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("Traceback (most recent call last)"), response.body());
        assertTrue(response.body().contains("LookupError: /debug/unknown-route"), response.body());
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAtOnce() throws Exception {
        var client = HttpClient.newHttpClient();
        var sleeping = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 2; i++) { // one runs, one waits: the queue is full
            sleeping.add(client.sendAsync(HttpRequest.newBuilder(uri("/tiny/sleep?seconds=2")).build(),
                    HttpResponse.BodyHandlers.ofString()));
            Thread.sleep(300);
        }
        long start = System.nanoTime();
        var refused = get(uri("/tiny/sleep?seconds=0"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
        System.out.println("HostileIT: 503 under overload answered in " + millis + " ms");
        for (var request : sleeping) {
            assertEquals(200, request.get().statusCode());
        }
    }

    @Test
    void pythonLoggingAndPrintReachTheContainerLog() throws Exception {
        var records = new CopyOnWriteArrayList<LogRecord>();
        var capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            assertEquals(200, get(uri("/hostile/log?id=7311")).statusCode());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (records.stream().noneMatch(r -> r.getLoggerName().equals("python.stdout"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            root.removeHandler(capture);
        }
        assertTrue(records.stream().anyMatch(r -> r.getLoggerName().equals("hostile_app")
                && r.getLevel() == Level.WARNING && r.getMessage().equals("a warning from hostile_app with id=7311")),
                "no WARNING from logger hostile_app");
        assertTrue(records.stream().anyMatch(r -> r.getLoggerName().equals("python.stdout")
                && r.getMessage().equals("printed by hostile_app 7311")), "print() did not reach the log");
    }

    @Test
    void aBodyOverMaxBodyGets413() throws Exception {
        var response = send("POST", uri("/hostile/ok"), new byte[4096]);
        assertEquals(413, response.statusCode());
        nextRequestIsServed();
    }

    /** Chunked, so no Content-Length tells the size: the limit is counted as the body streams in. */
    @Test
    void aChunkedBodyOfExactlyMaxBodyArrivesAndOneByteMoreGets413() throws Exception {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        for (int size : new int[] {1024, 1025}) {
            byte[] body = new byte[size];
            var request = HttpRequest.newBuilder(uri("/hostile/size")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
            var response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (size == 1024) {
                assertEquals(200, response.statusCode(), response.body());
                assertEquals("1024", response.body());
            } else {
                assertEquals(413, response.statusCode(), response.body());
            }
        }
        nextRequestIsServed();
    }

    @Test
    void brokenPercentEncodingInTheQueryGets400() throws Exception {
        // java.net.URI refuses to build this request, so it goes over a raw socket.
        String response = rawGet(base.getPath().replaceAll("/$", "") + "/hostile/query?a=%zz");
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        assertTrue(response.contains("%zz"), response);
    }

    private String rawGet(String target) throws Exception {
        try (var socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: " + base.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void nonUtf8BytesInTheQueryAreReplacedNotFatal() throws Exception {
        var response = get(uri("/hostile/query?a=%ff%fe"));
        assertEquals(200, response.statusCode());
        assertEquals("1 keys, a=['\ufffd\ufffd']", response.body());
    }

    @Test
    void aThousandQueryParametersArrive() throws Exception {
        // Short keys: the request line must stay under Tomcat's 8 KB header limit (which answers 400).
        var query = new StringBuilder("a=1");
        for (int i = 0; i < 999; i++) {
            query.append("&k").append(Integer.toString(i, 36)).append("=1");
        }
        var response = get(uri("/hostile/query?" + query));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("1000 keys, a=['1']", response.body());
    }

    @Test
    void aLongHeaderValueIsAccepted() throws Exception {
        var response = get(uri("/hostile/ok"), "X-Long", "v".repeat(6000));
        assertEquals(200, response.statusCode());
    }

    @Test
    void pathTraversalNeverReachesPythonOrAFile() throws Exception {
        var response = send("GET", uri("/hostile/%2e%2e/%2e%2e/etc/passwd"), new byte[0]);
        assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, "status " + response.statusCode());
        assertFalse(new String(response.body(), StandardCharsets.UTF_8).contains("root:"));
    }

    @Test
    void headGetsTheHeadersWithoutABody() throws Exception {
        var response = send("HEAD", uri("/hostile/ok"), new byte[0]);
        assertEquals(200, response.statusCode());
        assertEquals(0, response.body().length);
        assertEquals("2", response.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void unlistedMethodsFallThroughToTheContainer() throws Exception {
        assertEquals(405, send("DELETE", uri("/java"), new byte[0]).statusCode());
        var options = send("OPTIONS", uri("/hostile/ok"), new byte[0]);
        assertEquals(200, options.statusCode());
        assertTrue(options.headers().firstValue("Allow").isPresent());
    }

    @Test
    void fourHundredConcurrentConnectionsOfMixedRequestsAllGetWellFormedAnswers() throws Exception {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, Integer> expected = Map.of("/hostile/ok", 200, "/hostile/keyboard", 500,
                "/hostile/status-str", 500, "/java", 200, "/hostile/none-headers", 204);
        var paths = List.copyOf(expected.keySet());
        var wrong = new ConcurrentHashMap<String, Integer>();
        var errors = new CopyOnWriteArrayList<Throwable>();
        var done = new AtomicInteger();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        var batch = new ArrayList<CompletableFuture<Void>>();
        for (int i = 0; i < 4000 && System.nanoTime() < deadline; i++) {
            String path = paths.get(i % paths.size());
            batch.add(client.sendAsync(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .thenAccept(response -> {
                        done.incrementAndGet();
                        if (response.statusCode() != expected.get(path)) {
                            wrong.merge(path + " -> " + response.statusCode(), 1, Integer::sum);
                        }
                    })
                    .exceptionally(e -> {
                        errors.add(e);
                        return null;
                    }));
            if (batch.size() == 400) { // 400 in flight at a time
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
                batch.clear();
            }
        }
        CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
        System.out.println("HostileIT: " + done.get() + " concurrent mixed requests answered, "
                + errors.size() + " connection errors, wrong statuses " + wrong);
        assertTrue(errors.isEmpty(), "connection errors: " + errors.stream().limit(3).toList());
        assertTrue(wrong.isEmpty(), "wrong statuses: " + wrong);
        assertTrue(done.get() >= 400, "only " + done.get() + " requests in 20 s");
        nextRequestIsServed();
    }
}
