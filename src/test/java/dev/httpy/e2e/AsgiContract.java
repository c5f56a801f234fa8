package dev.httpy.e2e;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The example's FastAPI app (Debian's python3-fastapi: FastAPI 0.92, Starlette 0.26, pydantic 1.10,
 * on Debian's Python 3.11) mounted with python.asgi in a real server, over real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AsgiContract {
    private static final boolean FASTAPI = Files.isExecutable(Path.of("/usr/bin/python3.11"))
            && Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/fastapi"));
    private ServerProcess server;

    abstract ServerProcess newServer();

    @BeforeAll
    void start() {
        if (!FASTAPI) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ": needs Debian's python3.11 and python3-fastapi"
                    + " (apt-get install python3-dev python3-fastapi); .ci/run installs them");
        }
        assumeTrue(FASTAPI, "needs Debian's python3.11 and python3-fastapi");
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        archive.setWebXML(new File("src/test/resources/asgi/web.xml"));
        server = newServer();
        server.deploy(ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/asgi.war")), "asgi");
        server.start().awaitStatus("/asgi/fastapi/hello", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private URI uri(String path) {
        return server.uri("/asgi/fastapi" + path);
    }

    @Test
    void pathAndQueryParametersAndTheMountAsRootPath() throws Exception {
        var response = HttpClientSupport.get(uri("/items/42?q=red"));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"item_id\":42,\"q\":\"red\",\"root_path\":\"/asgi/fastapi\"}", response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void aJsonBodyAndPydanticsValidationError() throws Exception {
        var created = HttpClientSupport.send("POST", uri("/items"),
                "{\"name\": \"lamp\", \"price\": 12.5, \"tags\": [\"a\"]}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertEquals(200, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
        assertEquals("{\"created\":{\"name\":\"lamp\",\"price\":12.5,\"tags\":[\"a\"]}}",
                new String(created.body(), StandardCharsets.UTF_8));
        var invalid = HttpClientSupport.send("POST", uri("/items"), "{\"name\": \"lamp\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertEquals(422, invalid.statusCode());
        assertTrue(new String(invalid.body(), StandardCharsets.UTF_8).contains("\"loc\":[\"body\",\"price\"]"),
                new String(invalid.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aDependencyAndABackgroundTaskThatRunsAfterTheResponse() throws Exception {
        assertEquals(401, HttpClientSupport.get(uri("/whoami")).statusCode());
        assertEquals("{\"user\":\"ada\"}", HttpClientSupport.get(uri("/whoami"), "X-User", "ada").body());
        var queued = HttpClientSupport.send("POST", uri("/jobs?name=report"), new byte[0]);
        assertEquals(202, queued.statusCode());
        String done = "";
        for (int i = 0; i < 50 && !done.contains("report"); i++) {
            done = HttpClientSupport.get(uri("/jobs")).body();
            Thread.sleep(20);
        }
        assertTrue(done.contains("\"report\""), done);
    }

    @Test
    void aStreamingResponse() throws Exception {
        var response = HttpClientSupport.get(uri("/stream?n=4"));
        assertEquals(200, response.statusCode());
        assertEquals("line 0\nline 1\nline 2\nline 3\n", response.body());
    }

    /** Server-sent events: the first event reaches the client while the app still sleeps before the last. */
    @Test
    void serverSentEventsArriveAsTheyAreMade() throws Exception {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long started = System.nanoTime();
        var response = client.send(HttpRequest.newBuilder(uri("/events?n=3&pause=1.0")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertTrue(response.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String first = lines.readLine();
            double firstAfter = (System.nanoTime() - started) / 1e9;
            assertTrue(first.startsWith("data: tick 0"), first);
            assertTrue(firstAfter < 1.5, "the first event took " + firstAfter + " s; the stream takes 2 s in all");
            List<String> rest = lines.lines().filter(l -> !l.isEmpty()).toList();
            assertEquals(2, rest.size(), rest.toString());
            assertTrue(rest.getLast().startsWith("data: tick 2"), rest.toString());
        }
    }

    @Test
    void startupStateReachesTheEndpoints() throws Exception {
        var response = HttpClientSupport.get(uri("/state"));
        assertEquals(200, response.statusCode());
        assertTrue(response.body().matches("\\{\"started_at\":\\d+\\.\\d+}"), response.body());
    }

    @Test
    void anExceptionIsACleanInternalServerErrorWithTheTracebackOnlyInTheLog() throws Exception {
        var response = HttpClientSupport.get(uri("/boom"));
        assertEquals(500, response.statusCode());
        assertFalse(response.body().contains("Traceback") || response.body().contains("a bug in"), response.body());
        // Starlette answers the 500 itself and then raises for the server to log: the log line comes just after.
        String log = server.log();
        for (int i = 0; i < 100 && !log.contains("a bug in a FastAPI endpoint"); i++) {
            Thread.sleep(50);
            log = server.log();
        }
        assertTrue(log.contains("raised after its response was sent: RuntimeError: a bug in a FastAPI endpoint")
                && log.contains("Traceback"), server.logTail(40));
    }

    @Test
    void python_timeoutCancelsTheTaskAndAnswers504() throws Exception {
        long started = System.nanoTime();
        var response = HttpClientSupport.get(uri("/sleep?seconds=30"));
        double took = (System.nanoTime() - started) / 1e9;
        assertEquals(504, response.statusCode(), response.body());
        assertTrue(took < 10, "took " + took + " s with python.timeout=3");
        assertEquals("slept 0.1 s", HttpClientSupport.get(uri("/sleep?seconds=0.1")).body(), "the loop still serves");
    }

    // ---- WebSockets: the example's /ws echo through the container's Jakarta WebSocket upgrade ----

    /** What the server sent on one WebSocket: whole messages (String or byte[]) and its close. */
    private static final class Received implements WebSocket.Listener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            bytes.writeBytes(part);
            if (last) {
                messages.add(bytes.toByteArray());
                bytes.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
            messages.add(error);
        }

        Object next() throws InterruptedException {
            Object message = messages.poll(10, TimeUnit.SECONDS);
            assertFalse(message == null || message instanceof Throwable, "no message, or: " + message);
            return message;
        }
    }

    /**
     * One client for every WebSocket, held for the whole class: the JDK ends a client's selector
     * thread once the client is garbage, and with it the reading of its WebSockets.
     */
    private final HttpClient webSockets = HttpClient.newHttpClient();

    private WebSocket connect(String path, Received received, String... subprotocols) throws Exception {
        var builder = webSockets.newWebSocketBuilder();
        if (subprotocols.length > 0) {
            builder.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        URI ws = URI.create(uri(path).toString().replaceFirst("^http", "ws"));
        return builder.buildAsync(ws, received).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aWebSocketEchoesTextAsTextAndBytesAsBytes() throws Exception {
        var received = new Received();
        WebSocket ws = connect("/ws", received);
        assertEquals("", ws.getSubprotocol(), "none offered, none chosen");
        ws.sendText("héllo", true).get(10, TimeUnit.SECONDS);
        assertEquals("héllo", received.next());
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        ws.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
        assertArrayEquals(bytes, (byte[]) received.next());
        ws.sendText("again", true).get(10, TimeUnit.SECONDS);
        assertEquals("again", received.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        assertEquals("1000 ", received.closed.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theAppChoosesASubprotocolTheClientOffered() throws Exception {
        var received = new Received();
        WebSocket ws = connect("/ws", received, "chat.other", "echo.v1");
        assertEquals("echo.v1", ws.getSubprotocol());
        ws.sendText("with a subprotocol", true);
        assertEquals("with a subprotocol", received.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
    }

    @Test
    void theAppsCloseCodeReachesTheClient() throws Exception {
        var received = new Received();
        WebSocket ws = connect("/ws", received);
        ws.sendText("bye", true);
        assertEquals("4001 bye", received.closed.get(10, TimeUnit.SECONDS));
    }

    @Test
    void theClientsCloseCodeReachesTheApp() throws Exception {
        var received = new Received();
        WebSocket ws = connect("/ws", received);
        ws.sendText("hello", true);
        assertEquals("hello", received.next());
        ws.sendClose(4321, "done").get(10, TimeUnit.SECONDS);
        String closes = "";
        for (int i = 0; i < 100 && !closes.contains("4321"); i++) {
            Thread.sleep(50);
            closes = HttpClientSupport.get(uri("/ws/closes")).body();
        }
        assertTrue(closes.contains("4321"), closes);
    }

    @Test
    void aWebSocketTheAppClosesBeforeAcceptingIsRefusedWith403() throws Exception {
        var failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> connect("/ws/private", new Received()));
        var refused = assertInstanceOf(WebSocketHandshakeException.class, failed.getCause());
        assertEquals(403, refused.getResponse().statusCode());
        assertEquals(200, HttpClientSupport.get(uri("/hello")).statusCode(), "HTTP still served");
    }

    /** Many waiting requests share the app's one event loop: they finish together, not one after another. */
    @Test
    void twoHundredWaitingRequestsShareOneLoop() throws Exception {
        long started = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(50)) {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                statuses.add(pool.submit(() -> HttpClientSupport.get(uri("/sleep?seconds=0.5")).statusCode()));
            }
            for (var status : statuses) {
                assertEquals(200, status.get());
            }
        }
        double took = (System.nanoTime() - started) / 1e9;
        assertTrue(took < 10, "200 requests of 0.5 s took " + took + " s");
        assertEquals(200, HttpClientSupport.get(server.uri("/asgi/java")).statusCode());
    }
}
