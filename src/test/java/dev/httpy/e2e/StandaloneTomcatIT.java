package dev.httpy.e2e;

import java.net.URI;

import dev.httpy.it.HttpContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link HttpContract} against the integration-test WAR in a real, unpacked Tomcat 11 started as its own process. */
class StandaloneTomcatIT extends HttpContract {
    private static ServerProcess server;

    @BeforeAll
    static void start() {
        server = ServerProcess.tomcat("tomcat-contract");
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
