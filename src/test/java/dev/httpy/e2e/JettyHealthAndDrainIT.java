package dev.httpy.e2e;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HealthAndDrainContract} in a real Jetty 12, whose graceful stop waits as long as the web
 * app's drain ({@code jetty.server.stopTimeout}), as the docs advise.
 */
class JettyHealthAndDrainIT extends HealthAndDrainContract {

    @Override
    ServerProcess newServer(String name, Duration drainTimeout) {
        return ServerProcess.jetty("jetty-" + name).jettyProperty("jetty.server.stopTimeout",
                Long.toString(drainTimeout.toMillis()));
    }

    /**
     * Jetty's graceful stop closes its listening socket (a new connection is refused) and answers a
     * request on a kept connection with its own 503 and Connection: close (the GracefulHandler);
     * it closes a kept connection once it has been idle for a second of the stop, so a request that
     * comes later finds it closed.
     */
    @Override
    void assertContainerAnsweredNewRequests(String onKeptConnection, String onNewConnection) {
        assertTrue(onKeptConnection.startsWith("503 ") && onKeptConnection.contains("Connection=close")
                && onKeptConnection.contains("Server=Jetty") || closedUnanswered(onKeptConnection), onKeptConnection);
        assertTrue(onNewConnection.startsWith("connecting: ConnectException: Connection refused"), onNewConnection);
    }

    /**
     * Jetty's graceful stop waited for the request before the web app stopped, so httpy's drain
     * found none left; what httpy logs meanwhile is lost (java.util.logging resets its handlers in
     * its own shutdown hook), so there is nothing more to check.
     */
    @Override
    void assertDrainedOnStop(ServerProcess server) {
    }
}
