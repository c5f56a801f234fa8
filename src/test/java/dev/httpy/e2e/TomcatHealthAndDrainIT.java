package dev.httpy.e2e;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HealthAndDrainContract} in a real Tomcat 11, as it comes: its default unloadDelay (2 s) and nothing else. */
class TomcatHealthAndDrainIT extends HealthAndDrainContract {

    @Override
    ServerProcess newServer(String name, Duration drainTimeout) {
        return ServerProcess.tomcat("tomcat-" + name);
    }

    /**
     * Tomcat pauses its connector first: a request on a kept connection is not read, the connection
     * is closed; a new connection waits in the listen backlog, unanswered, until the connector stops
     * after the web app (then it is reset).
     */
    @Override
    void assertContainerAnsweredNewRequests(String onKeptConnection, String onNewConnection) {
        assertTrue(closedUnanswered(onKeptConnection), onKeptConnection);
        assertEquals("no answer in 3 s", onNewConnection);
    }

    /** Tomcat waits 2 s (unloadDelay) for asynchronous requests, then stops the web app: httpy's drain waited the rest. */
    @Override
    void assertDrainedOnStop(ServerProcess server) {
        String log = server.log();
        assertTrue(log.contains("httpy filter python: the web app is stopping; 1 requests in flight may finish for"
                + " python.drain-timeout=10 s"), server.logTail(30));
        assertTrue(log.contains("httpy filter python: the requests in flight were answered in"), server.logTail(30));
    }
}
