package dev.httpy.e2e;

import java.net.URI;

import dev.httpy.it.HttpContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link HttpContract} against the integration-test WAR in a real Jetty 12.1 (ee11) started as its own process. */
class StandaloneJettyIT extends HttpContract {
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.jetty("jetty-contract");
        server.deploy(Wars.itWar(), "it");
        server.start().awaitStatus("/it/python", 200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected URI base() {
        return server.uri("/it");
    }
}
