package dev.httpy.e2e;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stops a real Tomcat and a real Jetty (SIGTERM, as an init system or {@code docker stop} does)
 * while two Python handlers sleep in requests, one for 5 s and one for 2 s: the server must exit on
 * its own within 10 s, and the 2 s one, which ends within httpy's 4 s of grace, must get its answer.
 */
class ShutdownIT {
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final double HANDLER_SECONDS = 5;
    private static final double SHORT_HANDLER_SECONDS = 2;

    @Test
    void tomcatExitsWithinTenSecondsWithAHandlerInFlight() throws Exception {
        stopWithHandlerInFlight(ServerProcess.tomcat("tomcat-shutdown"));
    }

    @Test
    void jettyExitsWithinTenSecondsWithAHandlerInFlight() throws Exception {
        stopWithHandlerInFlight(ServerProcess.jetty("jetty-shutdown"));
    }

    @Test
    void tomcatExitsWithinTenSecondsWithAFastPathHandlerInFlight() throws Exception {
        stopWithFastPathHandlerInFlight(ServerProcess.tomcat("tomcat-shutdown-here"));
    }

    @Test
    void jettyExitsWithinTenSecondsWithAFastPathHandlerInFlight() throws Exception {
        stopWithFastPathHandlerInFlight(ServerProcess.jetty("jetty-shutdown-here"));
    }

    /**
     * The same stop with a 2 s handler running on the container thread itself: a route whose calls
     * have all been quick, so the fast path runs it, then one call that sleeps.
     */
    private static void stopWithFastPathHandlerInFlight(ServerProcess server) throws Exception {
        try (server; var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            server.deploy(Wars.pathsWar(), "p");
            server.start().awaitStatus("/p/r/flaky", 200);
            for (int i = 0; i < 30; i++) {
                assertEquals(200, client.send(HttpRequest.newBuilder(server.uri("/p/r/flaky")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            var sleeping = client.sendAsync(HttpRequest.newBuilder(server.uri("/p/r/flaky?sleep=" + SHORT_HANDLER_SECONDS))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500);
            assertFalse(sleeping.isDone(), "the sleeping request ended early: " + sleeping.join().body());

            var stopped = server.stop();
            System.out.printf("%s stopped in %d ms with a %.0f s handler in flight on a container thread (exit code %d%s)%n",
                    server, stopped.took().toMillis(), SHORT_HANDLER_SECONDS, stopped.exitCode(),
                    stopped.killed() ? ", needed SIGKILL" : "");
            assertFalse(stopped.killed(), server + " ignored SIGTERM for 15 s; its log ends:\n" + server.logTail(60));
            assertTrue(stopped.took().compareTo(LIMIT) < 0, server + " took " + stopped.took() + " to stop; its log ends:\n"
                    + server.logTail(60));
            var answered = sleeping.get(30, TimeUnit.SECONDS);
            assertEquals(200, answered.statusCode(), answered.body());
            assertTrue(answered.body().startsWith("flaky on "), answered.body());
        }
    }

    private static void stopWithHandlerInFlight(ServerProcess server) throws Exception {
        try (server; var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            server.deploy(Wars.itWar(), "it");
            server.start().awaitStatus("/it/python", 200);
            Path started = server.base().resolve("slow-handler-started");
            var slow = slow(client, server, HANDLER_SECONDS, started);
            awaitStarted(server, started, slow);
            Path shortStarted = server.base().resolve("short-handler-started");
            var shortOne = slow(client, server, SHORT_HANDLER_SECONDS, shortStarted);
            awaitStarted(server, shortStarted, shortOne);

            var stopped = server.stop();
            String clientSaw = slow.handle((r, e) -> r != null ? r.statusCode() + " \"" + r.body().strip() + "\""
                    : e.getClass().getSimpleName() + ": " + e.getMessage()).get(30, TimeUnit.SECONDS);
            System.out.printf("%s stopped in %d ms with a %.0f s Python handler in flight (exit code %d%s); the"
                            + " client got %s%n", server, stopped.took().toMillis(), HANDLER_SECONDS, stopped.exitCode(),
                    stopped.killed() ? ", needed SIGKILL" : "", clientSaw);
            System.out.println("its log ends:\n" + server.logTail(12));
            assertFalse(stopped.killed(), server + " ignored SIGTERM for 15 s; its log ends:\n" + server.logTail(60));
            assertTrue(stopped.took().compareTo(LIMIT) < 0, server + " took " + stopped.took() + " to stop; its log ends:\n"
                    + server.logTail(60));
            var answered = shortOne.get(30, TimeUnit.SECONDS);
            assertEquals(200, answered.statusCode(), answered.body());
            assertEquals("slept " + SHORT_HANDLER_SECONDS + " s", answered.body());
        }
    }

    private static CompletableFuture<HttpResponse<String>> slow(HttpClient client, ServerProcess server, double seconds,
                                                                Path started) {
        return client.sendAsync(HttpRequest.newBuilder(server.uri("/it/slow?seconds=" + seconds + "&started="
                + URLEncoder.encode(started.toString(), StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits until the handler is really running in Python, not just sent: it creates the file. (Not by
     * asking the app over HTTP: a worker holds the responses of its batch until the batch ends, so an
     * answer could wait for the slow handler itself.)
     */
    private static void awaitStarted(ServerProcess server, Path started, CompletableFuture<HttpResponse<String>> slow)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(started)) {
            if (System.nanoTime() > deadline || slow.isDone()) {
                throw new AssertionError("/slow did not start in " + server + " (it answered: " + (slow.isDone()
                        ? slow.handle((r, e) -> r != null ? r.statusCode() + " " + r.body() : e.toString()).join()
                        : "nothing yet") + "); its log ends:\n" + server.logTail(40));
            }
            Thread.sleep(10);
        }
    }
}
