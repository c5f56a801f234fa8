package dev.httpy.e2e;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * python.health and the drain when a web app stops, in a real server: the health path is answered
 * by httpy as JSON (UP, and DOWN while every worker of a filter is stuck) and never reaches Python;
 * a server stopped with SIGTERM (as Kubernetes and {@code docker stop} stop it) or a web app
 * undeployed lets a Python request in flight finish with its whole answer, and a drain cut short by
 * python.drain-timeout ends the request and the server soon after the limit. What a client sees for
 * a new request during the stop is printed and checked: the container answers it before httpy's drain begins.
 */
abstract class HealthAndDrainContract {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** A thread for each client and stop at once (the common pool may have one thread on a small machine). */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());

    /**
     * A fresh, not yet started server whose web app drains for {@code drainTimeout}; a container
     * that waits for requests in flight itself before the web app stops (Jetty's graceful stop)
     * waits as long, as the docs advise.
     */
    abstract ServerProcess newServer(String name, Duration drainTimeout);

    @Test
    void theHealthPathIsAnsweredAsJsonUpAndDownWhileEveryWorkerIsStuckAndNeverReachesPython() throws Exception {
        try (var server = newServer("health", Duration.ofSeconds(10))) {
            start(server, "10");

            var up = send(server, "GET", "/d/healthz");
            assertEquals(200, up.statusCode(), up.body());
            assertEquals("application/json", up.headers().firstValue("Content-Type").orElse("").replace(";charset=UTF-8", ""));
            assertEquals("no-store", up.headers().firstValue("Cache-Control").orElse(""));
            assertTrue(up.body().matches("\\{\"status\":\"UP\",\"python\":\"3\\.14\\.\\d+\",\"interpreter\":\"isolated\",\"filters\":"
                    + "\\{\"python\":\\{\"workers\":4,\"busy\":\\d,\"stuck\":0,\"queued\":0,\"inFlight\":0},"
                    + "\"stuck\":\\{\"workers\":1,\"busy\":0,\"stuck\":0,\"queued\":0,\"inFlight\":0}}}\n"), up.body());
            var head = send(server, "HEAD", "/d/healthz");
            assertEquals(200, head.statusCode());
            assertEquals("", head.body());
            // The app has no route /healthz: other methods go on as any request, to the container's 404 (Jetty: 405).
            var posted = send(server, "POST", "/d/healthz");
            assertTrue(posted.statusCode() == 404 || posted.statusCode() == 405, posted.statusCode() + " " + posted.body());
            assertEquals("hello from python", send(server, "GET", "/d/python").body());

            // when: the one worker of the filter stuck sleeps in C past its 1 s python.timeout
            var stuck = CLIENT.sendAsync(HttpRequest.newBuilder(server.uri("/d/stuck?seconds=4")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var down = awaitHealth(server, 503);
            // then
            assertTrue(down.body().startsWith("{\"status\":\"DOWN\",\"reason\":\"every one of the 1 workers of filter stuck"
                    + " has been in one request for longer than python.timeout=1.0 s;"), down.body());
            assertTrue(down.body().contains("\"stuck\":{\"workers\":1,\"busy\":1,\"stuck\":1,"), down.body());
            assertEquals(504, stuck.get(30, TimeUnit.SECONDS).statusCode());
            awaitHealth(server, 200);
            server.assertAlive();
        }
    }

    @Test
    void aStopLetsTheRequestInFlightFinishAndTheServerExitsWithinTheDrain() throws Exception {
        Duration drain = Duration.ofSeconds(10);
        try (var server = newServer("drain", drain); var kept = startWithAKeptConnection(server, "10")) {
            var slow = slowRequest(server, 6);
            Thread.sleep(500);

            // when: SIGTERM, as Kubernetes sends it
            long stopping = System.nanoTime();
            var stopped = CompletableFuture.supplyAsync(server::stop, THREADS);
            awaitLog(server, server.kind() == ServerProcess.Kind.TOMCAT ? "Pausing ProtocolHandler" : "Stopped oejs.Server@");
            String onKept = get(kept, "/d/healthz");
            String onNew = getOnANewConnection(server, "/d/python");
            String answered = slow.get(30, TimeUnit.SECONDS);
            var stop = stopped.get(30, TimeUnit.SECONDS);

            System.out.printf("%s: SIGTERM 0.5 s into a 6 s handler; the server exited in %d ms (exit code %d%s)%n"
                            + "  the handler's client got: %s%n  once the stop began, a request on a connection kept from before"
                            + " got: %s%n  and one on a new connection: %s%n", server, stop.took().toMillis(),
                    stop.exitCode(), stop.killed() ? ", needed SIGKILL" : "", answered, onKept, onNew);
            // then: the whole answer, and an exit within the drain
            assertEquals("200 slept 6.0 s", answered, server.logTail(40));
            assertFalse(stop.killed(), server.logTail(40));
            assertTrue(stop.took().compareTo(drain.plusSeconds(3)) < 0, stop.took() + "\n" + server.logTail(40));
            assertTrue(System.nanoTime() - stopping > TimeUnit.MILLISECONDS.toNanos(5000), "it did not wait");
            assertContainerAnsweredNewRequests(onKept, onNew);
            assertDrainedOnStop(server);
        }
    }

    @Test
    void anUndeployLetsTheRequestInFlightFinishWhileTheServerServesOn() throws Exception {
        try (var server = newServer("undeploy", Duration.ofSeconds(10)); var kept = startWithAKeptConnection(server, "10")) {
            var slow = slowRequest(server, 6);
            Thread.sleep(500);

            // when: the WAR goes
            server.undeploy("d");
            awaitLog(server, "httpy filter python: the web app is stopping; 1 requests in flight may finish");
            String onKept = get(kept, "/d/healthz");
            String onNew = getOnANewConnection(server, "/d/python");
            String answered = slow.get(30, TimeUnit.SECONDS);

            System.out.printf("%s: the web app undeployed 0.5 s into a 6 s handler; its client got: %s%n  during its"
                    + " drain, a request on a connection kept from before got: %s%n  and one on a new connection: %s%n",
                    server, answered, onKept, onNew);
            // then
            assertEquals("200 slept 6.0 s", answered, server.logTail(40));
            awaitLog(server, "httpy filter python: the requests in flight were answered in");
            assertContainerAnsweredUndeployedApp(onKept, onNew);
            server.assertAlive();
        }
    }

    @Test
    void aDrainCutShortEndsTheRequestAndTheServerSoonAfterTheLimit() throws Exception {
        try (var server = newServer("drain-cut", Duration.ofSeconds(1))) {
            start(server, "1");
            var slow = slowRequest(server, 20);
            Thread.sleep(500);

            // when
            var stop = server.stop();
            String ended = slow.get(10, TimeUnit.SECONDS);

            System.out.printf("%s: SIGTERM 0.5 s into a 20 s handler with python.drain-timeout=1; the server exited in"
                    + " %d ms (exit code %d%s); the handler's client got: %s%n", server, stop.took().toMillis(),
                    stop.exitCode(), stop.killed() ? ", needed SIGKILL" : "", ended);
            // then: well before the handler would have ended, and the request ended as unanswered: httpy's 503
            // when the container ended it, or the connection closed (never a 200 as if it had finished)
            assertFalse(stop.killed(), server.logTail(40));
            assertTrue(stop.took().compareTo(Duration.ofSeconds(8)) < 0, stop.took() + "\n" + server.logTail(40));
            assertTrue(ended.startsWith("503") || closedUnanswered(ended), ended);
        }
    }

    /**
     * What a client sees for a new request once the server's stop began, on a connection it kept
     * from before and on a new one: the container's own doing, before httpy's drain begins.
     */
    abstract void assertContainerAnsweredNewRequests(String onKeptConnection, String onNewConnection);

    /** Who let the request in flight finish when the server stopped: httpy's drain, or the container's own wait first. */
    abstract void assertDrainedOnStop(ServerProcess server);

    /** What a client sees for a request to an undeployed web app during its drain: the container's 404, the app is unmapped. */
    static void assertContainerAnsweredUndeployedApp(String onKeptConnection, String onNewConnection) {
        assertTrue(onKeptConnection.startsWith("404 "), onKeptConnection);
        assertTrue(onNewConnection.startsWith("404 "), onNewConnection);
    }

    /** The server closed the connection without answering the request sent on it. */
    static boolean closedUnanswered(String outcome) {
        return outcome.startsWith("EOFException") || outcome.startsWith("SocketException");
    }

    // ---- helpers ----

    /** Deploys the drain WAR with {@code python.drain-timeout=<drainTimeout>} as {@code /d} and starts the server. */
    private static void start(ServerProcess server, String drainTimeout) {
        server.deploy(Wars.drainWar(drainTimeout), "d");
        server.start().awaitStatus("/d/python", 200);
    }

    /** {@link #start}, and a connection that one answer keeps alive. */
    private static RawHttp startWithAKeptConnection(ServerProcess server, String drainTimeout) throws IOException {
        start(server, drainTimeout);
        var kept = RawHttp.connect(server, 0);
        var first = kept.head("GET", "/d/python", -1).read();
        assertEquals(200, first.status(), first.text());
        return kept;
    }

    /**
     * A request to it_app's {@code /slow} on a connection of its own, running in Python once this
     * returns (the handler touches a file first); its outcome as {@code "<status> <body>"} or what failed.
     */
    private static CompletableFuture<String> slowRequest(ServerProcess server, double seconds) throws Exception {
        Path started = server.base().resolve("slow-started-" + System.nanoTime());
        var slow = CompletableFuture.supplyAsync(() -> {
            try (var connection = RawHttp.connect(server, 0)) {
                var answer = connection.head("GET", "/d/slow?seconds=" + seconds + "&started="
                        + URLEncoder.encode(started.toString(), StandardCharsets.UTF_8), -1).read();
                return answer.status() + " " + answer.text().strip();
            } catch (IOException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }, THREADS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(started)) {
            if (System.nanoTime() > deadline || slow.isDone()) {
                throw new AssertionError("/slow did not start (" + (slow.isDone() ? slow.join() : "no answer yet")
                        + "); the log ends:\n" + server.logTail(40));
            }
            Thread.sleep(10);
        }
        return slow;
    }

    /** GET {@code path} on {@code connection}: {@code "<status> <headers> <body>"}, or what happened instead. */
    private static String get(RawHttp connection, String path) {
        try {
            connection.readTimeout(3000);
            var answer = connection.head("GET", path, -1).read();
            return answer.status() + " " + answer.headers() + " " + answer.text().strip();
        } catch (SocketTimeoutException e) {
            return "no answer in 3 s";
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static String getOnANewConnection(ServerProcess server, String path) {
        try (var connection = RawHttp.connect(server, 0)) {
            return get(connection, path);
        } catch (IOException e) {
            return "connecting: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static HttpResponse<String> send(ServerProcess server, String method, String path) throws Exception {
        URI uri = server.uri(path);
        return CLIENT.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> awaitHealth(ServerProcess server, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            var health = send(server, "GET", "/d/healthz");
            if (health.statusCode() == status) {
                return health;
            }
            assertTrue(System.nanoTime() < deadline, "health stayed " + health.statusCode() + ": " + health.body());
            Thread.sleep(50);
        }
    }

    private static void awaitLog(ServerProcess server, String line) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!server.log().contains(line)) {
            assertTrue(System.nanoTime() < deadline, "no \"" + line + "\" in the log:\n" + server.logTail(40));
            Thread.sleep(50);
        }
    }
}
