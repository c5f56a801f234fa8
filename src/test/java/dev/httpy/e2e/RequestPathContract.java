package dev.httpy.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How requests travel, checked in a real server started as its own process with the request-path
 * WAR ({@link Wars#pathsWar}): slow clients hold no thread, waiting handlers hold up no quick one,
 * short handlers run on the container thread that received them (and long ones on workers), and
 * every limit gives its answer on both paths. A subclass names the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RequestPathContract {
    /** More slow uploads than Tomcat has request threads (200): one thread each would stop the server. */
    static final int SLOW_UPLOADS = 300;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    ServerProcess server;

    /** A fresh, not yet started server. */
    abstract ServerProcess newServer();

    /** Whether the container runs requests on platform threads (not virtual ones), so the fast path may. */
    boolean platformRequestThreads() {
        return true;
    }

    @BeforeAll
    void start() {
        server = newServer();
        server.deploy(Wars.pathsWar(), "p");
        server.start().awaitStatus("/p/r/quick", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    URI uri(String path) {
        return server.uri("/p" + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Answers 200 with {@code expected}, within the client's 15 s, while whatever the test holds goes on. */
    void answers(String path, String expectedStart) throws Exception {
        var response = get(path);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        assertTrue(response.body().startsWith(expectedStart), path + ": " + response.body());
    }

    /** The name of the server thread that ran a handler answering "... on <native id>". */
    String threadThatRan(String path) throws Exception {
        var response = get(path);
        assertEquals(200, response.statusCode(), response.body());
        long nativeId = Long.parseLong(response.body().replaceAll(".* on ", "").trim());
        String name = server.threadName(nativeId);
        assertNotNull(name, "no thread of " + server + " has native id " + nativeId);
        return name;
    }

    static byte[] distinct(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed * 7 + (i >> 8));
        }
        return bytes;
    }

    /** The routes match the request's own path, not the welcome file the container's mapper put in its place. */
    @Test
    void aPythonRouteForADirectoryWinsOverItsWelcomeFile() throws Exception {
        assertEquals("python saw /", get("/").body());
        assertEquals("python saw /docs/", get("/docs/").body());
        // The files themselves, asked for by name, are still the container's.
        assertTrue(get("/index.html").body().contains("<html"), get("/index.html").body());
        assertEquals("the docs page\n", get("/docs/index.html").body());
    }

    /** Path parameters, dot segments and an encoded slash are settled by the container before a route is matched. */
    @Test
    void theContainersPathChecksComeBeforeTheRoutes() throws Exception {
        assertEquals("python saw /docs/", rawGet("/p/docs/;jsessionid=abc").text());
        assertEquals("python saw /docs/", rawGet("/p/r/../docs/").text());
        var encodedSlash = rawGet("/p/docs%2F");
        assertEquals(400, encodedSlash.status(), encodedSlash.text());
        // Dot segments that stay inside the server are resolved first (this one is /p/docs/ again) ...
        assertEquals("python saw /docs/", rawGet("/p/../p/docs/").text());
        // ... and one that climbs above the root is refused before any filter runs.
        var escape = rawGet("/../p/docs/");
        assertEquals(400, escape.status(), escape.text());
        assertFalse(escape.text().startsWith("python saw"), "a path above the root reached Python: " + escape.text());
    }

    private RawHttp.Response rawGet(String target) throws Exception {
        try (var raw = RawHttp.connect(server, 0)) {
            return raw.head("GET", target, -1).read();
        }
    }

    @Test
    void slowUploadsHoldNoThreadAndEachGetsItsExactAnswer() throws Exception {
        // given: more clients than the container has threads, each stalled 3 bytes into a 1,000-byte body
        List<RawHttp> slow = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_UPLOADS; i++) {
                slow.add(RawHttp.connect(server, 0).head("POST", "/p/r/echo", 1000).send(distinct(1000, i), 0, 3));
            }
            // when / then: Java and Python routes answer meanwhile
            answers("/java", "hello from java");
            answers("/r/quick", "quick on ");
            // and each slow client, once it sends the rest, gets exactly its own bytes back
            for (int i = 0; i < slow.size(); i++) {
                slow.get(i).send(distinct(1000, i), 3, 997);
            }
            for (int i = 0; i < slow.size(); i++) {
                var answer = slow.get(i).read();
                assertEquals(200, answer.status(), "slow upload " + i);
                assertArrayEquals(distinct(1000, i), answer.body(), "slow upload " + i);
            }
        } finally {
            for (RawHttp client : slow) {
                client.close();
            }
        }
    }

    @Test
    void clientsThatDoNotReadTheirAnswersHoldNoWorker() throws Exception {
        // given: 8 clients that post 8 MB each and then do not read the 8 MB answer, and 4 that ask for
        // a 32-chunk WSGI stream and do not read it
        List<RawHttp> echo = new ArrayList<>();
        List<RawHttp> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                var client = RawHttp.connect(server, 16 * 1024);
                echo.add(client);
                Thread.startVirtualThread(() -> {
                    try {
                        client.head("POST", "/p/r/echo", 8 << 20).send(distinct(8 << 20, 7));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            for (int i = 0; i < 4; i++) {
                streams.add(RawHttp.connect(server, 16 * 1024).head("GET", "/p/w/stream/x?n=32", -1));
            }
            Thread.sleep(1500); // they are all answered as far as their sockets take it
            // when / then: quick routes answer, more often than there are workers
            for (int i = 0; i < 20; i++) {
                answers("/r/quick", "quick on ");
            }
            answers("/java", "hello from java");
            // and every slow reader, once it reads (all at once, well within python.write-timeout), gets its whole answer
            byte[] expected = distinct(8 << 20, 7);
            List<CompletableFuture<RawHttp.Response>> answers = new ArrayList<>();
            var readers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
            for (RawHttp client : echo) {
                answers.add(CompletableFuture.supplyAsync(() -> readQuietly(client), readers));
            }
            for (RawHttp client : streams) {
                answers.add(CompletableFuture.supplyAsync(() -> readQuietly(client), readers));
            }
            for (int i = 0; i < answers.size(); i++) {
                var answer = answers.get(i).get();
                assertEquals(200, answer.status());
                if (i < echo.size()) {
                    assertArrayEquals(expected, answer.body());
                } else {
                    assertEquals(32 << 20, answer.body().length);
                    assertEquals((byte) (1000 % 251), answer.body()[(5 << 20) + 1000], "each 1 MiB chunk repeats the pattern");
                }
            }
        } finally {
            for (RawHttp client : echo) {
                client.close();
            }
            for (RawHttp client : streams) {
                client.close();
            }
        }
    }

    private static RawHttp.Response readQuietly(RawHttp client) {
        try {
            return client.read();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aBodyThatStopsArrivingGets408() throws Exception {
        try (var client = RawHttp.connect(server, 0)) {
            // given: 10 bytes of a 100-byte body, then nothing (python.body-timeout is 2 s under /d/)
            client.head("POST", "/p/d/echo", 100).send(new byte[10]);
            // when
            var answer = client.read();
            // then
            assertEquals(408, answer.status(), answer.text());
        }
        answers("/d/big?mb=0", "");
        assertTrue(server.log().contains("python.body-timeout"), server.logTail(20));
    }

    @Test
    void aClientThatStopsReadingIsDroppedAfterTheWriteTimeout() throws Exception {
        try (var client = RawHttp.connect(server, 16 * 1024)) {
            // given: a 64 MB answer nobody reads (python.write-timeout is 2 s under /d/)
            client.head("GET", "/p/d/big?mb=64", -1);
            Thread.sleep(6000);
            // when the client reads at last
            long got = client.readToEnd();
            // then the server had given up on it: far less than the whole answer came
            assertTrue(got < (64 << 20), "the whole answer arrived: " + got + " bytes");
        }
        assertTrue(server.log().contains("python.write-timeout"), server.logTail(20));
        answers("/d/big?mb=0", "");
    }

    @Test
    void waitingHandlersDoNotHoldUpQuickOnesAndGetWorkersOfTheirOwn() throws Exception {
        // given: 40 handlers that each wait 2 s, ten times the 4 workers kept warm
        List<CompletableFuture<HttpResponse<String>>> sleepers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sleepers.add(CLIENT.sendAsync(HttpRequest.newBuilder(uri("/r/sleep?seconds=2")).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(300);
        // when
        var quick = get("/r/quick");
        // then the quick one did not wait for them
        assertEquals(200, quick.statusCode(), quick.body());
        assertTrue(sleepers.stream().noneMatch(CompletableFuture::isDone), "a 2 s sleeper was done before the quick one");
        var threads = new HashSet<String>();
        for (var sleeper : sleepers) {
            var response = sleeper.get();
            assertEquals(200, response.statusCode(), response.body());
            threads.add(response.body());
        }
        // and the waiting handlers got more workers than the 4 kept warm
        assertTrue(threads.size() > 4, "40 waiting handlers ran on only " + threads.size() + " threads: " + threads);
    }

    @Test
    void aShortHandlerRunsOnTheContainerThreadThatReceivedIt() throws Exception {
        for (int i = 0; i < 30; i++) {
            answers("/r/quick", "quick on ");
        }
        String thread = threadThatRan("/r/quick");
        if (platformRequestThreads()) {
            assertFalse(thread.startsWith("httpy-"), "ran on a Python worker, not the container's thread: " + thread);
        } else {
            assertTrue(thread.startsWith("httpy-requests-"), "virtual request threads must hand Python to workers: " + thread);
        }
    }

    @Test
    void aHandlerThatWaitsRunsOnAWorker() throws Exception {
        for (int i = 0; i < 10; i++) {
            answers("/r/sleep?seconds=0.01", "slept on ");
        }
        String thread = threadThatRan("/r/sleep?seconds=0.01");
        assertTrue(thread.startsWith("httpy-requests-"), "a waiting handler ran on " + thread);
    }

    @Test
    void aShortRouteThatSpinsOnTheFastPathGets504AndItsThreadComesBack() throws Exception {
        for (int i = 0; i < 30; i++) {
            answers("/r/flaky", "flaky on ");
        }
        var spun = get("/r/flaky?spin=1");
        assertEquals(504, spun.statusCode(), spun.body());
        for (int i = 0; i < 30; i++) {
            answers("/r/flaky", "flaky on ");
        }
        answers("/java", "hello from java");
    }

    @Test
    void aHandlerThatSpinsOnAWorkerGets504AndItsWorkerComesBack() throws Exception {
        for (int i = 0; i < 6; i++) { // more than the 4 workers kept warm
            var spun = get("/d/spin");
            assertEquals(504, spun.statusCode(), spun.body());
        }
        answers("/d/big?mb=0", "");
    }

    @Test
    void aWsgiAppMountedBehindARouteParameterGetsTheMatchedPrefixAsScriptName() throws Exception {
        answers("/w/t/acme/x/y", "SCRIPT_NAME=/p/w/t/acme PATH_INFO=/x/y");
    }

    @Test
    void aWsgiAppInAChainWithoutAsyncSupportReadsItsBody() throws Exception {
        byte[] body = distinct(100_000, 3);
        var response = CLIENT.send(HttpRequest.newBuilder(uri("/sw/echo")).timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        assertArrayEquals(body, response.body());
    }

    @Test
    void aWsgiBodyOverMaxBodyGets413AndOneUnderItArrives() throws Exception {
        var over = CLIENT.send(HttpRequest.newBuilder(uri("/w/echo/x")).timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[65_537])).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, over.statusCode(), over.body());
        byte[] body = distinct(65_536, 5);
        var under = CLIENT.send(HttpRequest.newBuilder(uri("/w/echo/x")).timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, under.statusCode());
        assertTrue(Arrays.equals(body, under.body()), "the body under the limit came back changed");
    }
}
