package dev.httpy.it;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.httpy.it.HttpClientSupport.get;
import static dev.httpy.it.HttpClientSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ASGI 3 protocol, both ways, on the embedded 3.14: every app here runs inside a checker of
 * our own ({@code asgi/asgi_conformance.py}) that fails on any message from the server that the
 * spec does not allow (scope, receive() messages and their order) and records it; after each test
 * the record must be empty. The apps' own violations must each get a clean 500.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class AsgiConformanceContract {

    @ArquillianResource
    URL base;


    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/$", "") + path);
    }

    private String context() {
        return base.getPath().replaceAll("/$", "");
    }

    @AfterEach
    void theCheckerFoundNothingWrongWithTheServer() throws Exception {
        assertEquals("[]", get(uri("/asgi/violations")).body());
    }

    @Test
    void theScopeHasEveryKeyOfTheSpecWithTheMountAsRootPath() throws Exception {
        var response = get(uri("/asgi/inspect?b=2&a=%201"), "X-Tag", "one", "X-Tag", "two");
        String scope = response.body();
        assertEquals(200, response.statusCode(), scope);
        for (String expected : new String[] {"\"type\": \"http\"", "\"asgi\": {\"version\": \"3.0\", \"spec_version\": \"2.3\"}",
                "\"http_version\": \"1.1\"", "\"method\": \"GET\"", "\"scheme\": \"http\"", "\"path\": \"" + context() + "/asgi/inspect\"",
                "\"raw_path\": \"" + context() + "/asgi/inspect\"", "\"root_path\": \"" + context() + "/asgi\"",
                "\"query_string\": \"b=2&a=%201\"", "[\"x-tag\", \"one\"], [\"x-tag\", \"two\"]",
                "\"client\": [\"127.0.0.1\", ", "\"server\": [\"127.0.0.1\", " + base.getPort() + "]",
                "\"state\": {\"token\": \"from startup\"}"}) {
            assertTrue(scope.contains(expected), expected + " is not in " + scope);
        }
    }

    @Test
    void aPostedBodyArrivesInPiecesAsReceiveMessagesWithMoreBody() throws Exception {
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        int sum = 0;
        for (byte b : body) {
            sum = (sum + (b & 0xff)) % 65536;
        }
        var response = send("POST", uri("/asgi/echo"), body, "Content-Type", "application/octet-stream");
        String echo = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(echo.startsWith("{\"length\": 300000, \"sum\": " + sum + ", \"messages\": "), echo);
        int messages = Integer.parseInt(echo.replaceAll(".*\"messages\": (\\d+).*", "$1"));
        assertTrue(messages >= 2, "300 KB came as one message: " + echo);
    }

    /** The app reads the body's first part and answers before the client has sent the rest. */
    @Test
    void theAppSeesTheBodyAsItArrives() throws Exception {
        try (var socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("POST " + context() + "/asgi/progress HTTP/1.1\r\nHost: localhost\r\nContent-Length: 200000\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
            out.flush();
            InputStream in = socket.getInputStream();
            var seen = new StringBuilder();
            while (!seen.toString().contains("first ")) {
                int b = in.read();
                assertTrue(b >= 0, "the connection ended before the first answer: " + seen);
                seen.append((char) b);
            }
            out.write(new byte[199_000]);
            out.flush();
            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(rest.contains("total 200000"), seen + rest);
        }
    }

    @Test
    void aStreamedAnswerArrivesInFull() throws Exception {
        assertEquals("part 0\npart 1\npart 2\n", get(uri("/asgi/stream")).body());
    }

    /** Many streams at once keep several workers carrying the loop's messages: each stream's stay in order. */
    @Test
    void manyStreamsAtOnceEachArriveInOrder() throws Exception {
        try (var pool = Executors.newFixedThreadPool(32)) {
            List<Future<String>> bodies = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                bodies.add(pool.submit(() -> get(uri("/asgi/stream")).body()));
            }
            for (var body : bodies) {
                assertEquals("part 0\npart 1\npart 2\n", body.get());
            }
        }
    }

    @Test
    void aClientThatGoesAwayIsAnHttpDisconnectForTheApp() throws Exception {
        try (var socket = new Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(("GET " + context() + "/asgi/forever HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] some = in.readNBytes(20_000);
            assertTrue(new String(some, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
        }
        String seen = "";
        for (int i = 0; i < 200 && !seen.contains("http.disconnect"); i++) {
            Thread.sleep(50);
            seen = get(uri("/asgi/seen")).body();
        }
        assertEquals("{\"disconnects\": [\"http.disconnect\"]}", seen);
    }

    /** Whether this deployment has the python.gil=per-worker filter (Python 3.12+). */
    boolean gilPerWorker() {
        return true;
    }

    /** python.gil=per-worker: a loop in each worker's own interpreter, requests shared between them. */
    @Test
    void withAGilPerWorkerEachWorkerRunsALoopOfItsOwn() throws Exception {
        if (!gilPerWorker()) {
            System.out.println("SKIPPED " + getClass().getSimpleName() + ".withAGilPerWorkerEachWorkerRunsALoopOfItsOwn:"
                    + " a GIL per worker needs Python 3.12+, and this deployment's Python is older");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(gilPerWorker(), "a GIL per worker needs Python 3.12+");
        String shared = get(uri("/asgi/whoami")).body().replaceAll(".*\"interpreter\": (\\d+).*", "$1");
        Set<String> interpreters = ConcurrentHashMap.newKeySet();
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                done.add(pool.submit(() -> {
                    var response = get(uri("/own/whoami?pause=0.05"));
                    assertEquals(200, response.statusCode(), response.body());
                    interpreters.add(response.body().replaceAll(".*\"interpreter\": (\\d+).*", "$1"));
                    return null;
                }));
            }
            for (var future : done) {
                future.get();
            }
        }
        assertEquals(2, interpreters.size(), "two workers, two loops: " + interpreters);
        assertFalse(interpreters.contains(shared) || interpreters.contains("0"), interpreters + " vs " + shared);
        byte[] body = new byte[200_000];
        var echo = send("POST", uri("/own/echo"), body, "Content-Type", "application/octet-stream");
        assertTrue(new String(echo.body(), StandardCharsets.UTF_8).startsWith("{\"length\": 200000,"),
                new String(echo.body(), StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            assertEquals("[]", get(uri("/own/violations")).body(), "each worker's checker");
        }
    }

    @Test
    void everyProtocolViolationByTheAppIsACleanInternalServerError() throws Exception {
        for (String bad : new String[] {"body-first", "start-twice", "str-header", "status"}) {
            var response = get(uri("/asgi/bad/" + bad));
            assertEquals(500, response.statusCode(), bad + ": " + response.body());
            assertFalse(response.body().contains("Traceback"), bad + ": " + response.body());
        }
        assertEquals(200, get(uri("/asgi/inspect")).statusCode(), "the app still serves");
    }
}
