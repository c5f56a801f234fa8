package dev.httpy.e2e;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Streamed WSGI answers in a real server, many at once on more workers than they have chunks in
 * flight, so one response's chunks are made by different worker threads: each response keeps one
 * {@code contextvars} context (Flask's {@code stream_with_context} needs it), one that fails at any
 * chunk, times out, loses its client or is undeployed mid-stream is cut short, every response is
 * closed exactly once, and the server process lives through all of it (a reference released twice
 * used to take the JVM down one start in five).
 *
 * <p>Each variant runs on one Python: the embedded 3.14, or Debian's 3.11 through python.executable.
 * With {@code -Dhttpy.python.malloc=debug} the servers run Python's debug allocator, which fills
 * freed memory, so a use after free fails at once instead of one run in five.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class StreamsContract {
    private static final int AT_ONCE = 24;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern STATS = Pattern.compile("\\{\"started\": (\\d+), \"closed\": (\\d+), \"twice\": \\[([^]]*)]}");

    private ServerProcess server;
    private ExecutorService clients;

    /** A fresh, not yet started server. */
    abstract ServerProcess newServer();

    /** The Python the web app runs: null for the embedded one, else a python.executable. */
    abstract String pythonExecutable();

    @BeforeAll
    void start() {
        String executable = pythonExecutable();
        if (executable != null && !Files.isExecutable(Path.of(executable))) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": needs " + executable
                    + " (apt-get install python3-dev python3-flask); .ci/run installs it");
        }
        assumeTrue(executable == null || Files.isExecutable(Path.of(executable)), "needs " + executable);
        server = newServer();
        server.deploy(war(executable), "streams");
        server.start().awaitStatus("/streams/s/stats", 200);
        clients = Executors.newFixedThreadPool(AT_ONCE);
    }

    private Path war(String executable) {
        try {
            String webXml = Files.readString(Path.of("src/test/resources/streams/web.xml"));
            if (executable != null) {
                webXml = webXml.replace("<!-- python.executable -->", "<context-param><param-name>python.executable"
                        + "</param-name><param-value>" + executable + "</param-value></context-param>");
            }
            Path written = ServerProcess.SERVERS.resolve("wars/streams-" + getClass().getSimpleName() + ".xml");
            Files.createDirectories(written.getParent());
            Files.writeString(written, webXml);
            var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                    new File(System.getProperty("httpy.test.war", "target/httpy.war")));
            archive.delete("WEB-INF/web.xml");
            archive.setWebXML(written.toFile())
                    .addAsWebInfResource(new File("src/test/resources/streams/streams_app.py"), "python/streams_app.py");
            return ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/streams-" + getClass().getSimpleName() + ".war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    void stop() {
        if (clients != null) {
            clients.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Whatever a test did, the server process must still be there: a JVM crash is the failure this class hunts. */
    @AfterEach
    void serverStillRuns() {
        server.assertAlive();
    }

    private URI uri(String path) {
        return server.uri("/streams" + path);
    }

    @Test
    @Order(1)
    void everyChunkOfAResponseSeesTheContextVarItsFirstChunkSet() throws Exception {
        int hopped = 0;
        for (int round = 0; round < 5; round++) {
            for (String body : all(AT_ONCE, i -> get("/s/context?n=50"))) {
                List<String> lines = body.lines().toList();
                assertEquals(51, lines.size(), body);
                assertEquals("chunk 0 set", lines.getFirst());
                for (int i = 1; i < 50; i++) {
                    assertEquals("chunk " + i + " ok", lines.get(i), "a chunk lost the response's context\n" + body);
                }
                int threads = Integer.parseInt(lines.getLast().substring("threads ".length()));
                hopped += threads > 1 ? 1 : 0;
            }
        }
        // Otherwise this test would pass without ever moving a response between workers.
        assertTrue(hopped > 0, "no response's chunks ran on more than one worker thread");
    }

    @Test
    @Order(2)
    void flasksStreamWithContextKeepsTheRequestAtEveryChunk() throws Exception {
        for (int round = 0; round < 3; round++) {
            int r = round;
            var bodies = all(AT_ONCE, i -> get("/s/flask/stream?n=50&tag=r" + r + "s" + i));
            for (int i = 0; i < bodies.size(); i++) {
                var expected = new StringBuilder();
                for (int c = 0; c < 50; c++) {
                    expected.append("chunk ").append(c).append(" r").append(r).append('s').append(i).append('\n');
                }
                assertEquals(expected.toString(), bodies.get(i));
            }
        }
    }

    @Test
    @Order(3)
    void aStreamThatRaisesAtAnyChunkIsCutThereAndTheServerServesOn() throws Exception {
        for (int at : new int[] {1, 2, 40}) {
            var before = new StringBuilder();
            for (int i = 0; i < at; i++) {
                before.append("chunk ").append(i).append('\n');
            }
            for (int round = 0; round < 3; round++) {
                for (String body : all(AT_ONCE, i -> received("/s/fail?at=" + at))) {
                    assertEquals(before.toString(), body, "a stream that raised at chunk " + at);
                }
            }
            // The app still answers whole streams in between.
            assertTrue(get("/s/context?n=5").startsWith("chunk 0 set\n"));
        }
        assertTrue(server.log().contains("the stream fails at chunk 40 on purpose"), server.logTail(40));
    }

    @Test
    @Order(4)
    void clientsThatLeaveMidStream() throws Exception {
        for (int round = 0; round < 3; round++) {
            all(AT_ONCE, i -> {
                try (var raw = RawHttp.connect(server, 4096)) {
                    raw.head("GET", "/streams/s/slow?n=400&pause=0.005", -1);
                    // Read a little of the answer, then hang up in the middle of it.
                    raw.readSome(200 + 97 * i);
                }
                return "left";
            });
        }
        assertTrue(get("/s/context?n=5").startsWith("chunk 0 set\n"));
    }

    @Test
    @Order(5)
    void aStreamPastPythonTimeoutIsCutAndTheNextOnesRun() throws Exception {
        for (String body : all(8, i -> received("/t/slow?n=5&pause=" + (i % 2 == 0 ? "1.6" : "3")))) {
            assertEquals("chunk 0\n", body, "the first chunk goes out; the second overran python.timeout");
        }
        assertTrue(server.log().contains("did not make its next chunk within python.timeout"), server.logTail(40));
        assertEquals("chunk 0\nchunk 1\nchunk 2\n", get("/t/slow?n=3&pause=0.01"));
    }

    /** Runs after the others: the responses they cut are closed by then, each exactly once. */
    @Test
    @Order(6)
    void everyResponseWasClosedExactlyOnce() throws Exception {
        int started = 0;
        for (String filter : new String[] {"/s", "/t"}) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String stats;
            Matcher m;
            do {
                Thread.sleep(100);
                stats = get(filter + "/stats");
                m = STATS.matcher(stats);
                assertTrue(m.matches(), stats);
                assertEquals("", m.group(3), "close() ran more than once for these responses: " + stats);
            } while (!m.group(1).equals(m.group(2)) && System.nanoTime() < deadline);
            assertEquals(m.group(1), m.group(2), filter + ": started and closed differ: " + stats);
            started += Integer.parseInt(m.group(1));
        }
        assertTrue(started > 250, "fewer responses than the tests above made: " + started);
    }

    @Test
    @Order(7)
    void undeployingMidStreamLeavesTheServerServing() throws Exception {
        server.deploy(war(pythonExecutable()), "streams-gone");
        server.awaitStatus("/streams-gone/s/stats", 200);
        List<Future<String>> streams = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            streams.add(clients.submit(() -> received(server.uri("/streams-gone/s/slow?n=2000&pause=0.01"))));
        }
        Thread.sleep(1500);
        server.undeploy("streams-gone");
        for (var stream : streams) {
            String body = stream.get();
            assertTrue(body.startsWith("chunk 0\n") && !body.contains("chunk 1999"), "cut short: " + body.length() + " bytes");
        }
        server.awaitStatus("/streams-gone/s/stats", 404);
        server.assertAlive();
        assertTrue(get("/s/context?n=5").startsWith("chunk 0 set\n"));
    }

    // ---- clients ----

    private interface Client {
        String call(int i) throws Exception;
    }

    private List<String> all(int n, Client client) throws Exception {
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(clients.submit((Callable<String>) () -> client.call(index)));
        }
        List<String> results = new ArrayList<>();
        for (var future : futures) {
            results.add(future.get());
        }
        return results;
    }

    private String get(String path) throws IOException, InterruptedException {
        var response = CLIENT.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    private String received(String path) throws IOException, InterruptedException {
        return received(uri(path));
    }

    /**
     * The body as far as it arrived. A cut answer ends like a whole one on the wire (the container
     * completes it) or with a broken chunked encoding; either way what came is all it gets.
     */
    private static String received(URI uri) throws IOException, InterruptedException {
        var response = CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        var got = new java.io.ByteArrayOutputStream();
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                got.write(buffer, 0, n);
            }
        } catch (IOException cut) {
            // the connection ended mid-body: what arrived is the answer
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
