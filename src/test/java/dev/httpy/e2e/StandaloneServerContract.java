package dev.httpy.e2e;

import java.net.URI;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.HttpContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HttpContract} against the integration-test WAR in a real server started as its own
 * process, plus what only such a server shows: its whole log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StandaloneServerContract extends HttpContract {
    private ServerProcess server;

    /** A fresh, not yet started server. */
    abstract ServerProcess newServer();

    @BeforeAll
    void start() {
        server = newServer();
        server.deploy(Wars.itWar(), "it");
        server.start().awaitStatus("/it/python", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Weld is in this WAR; asynchronous Python requests must not make it log (it did, twice a request). */
    @Test
    void pythonRequestsLeaveNoWeldWarningsInTheLog() throws Exception {
        for (int i = 0; i < 50; i++) {
            assertEquals(200, HttpClientSupport.get(uri("/python")).statusCode());
        }
        assertEquals(200, HttpClientSupport.get(uri("/java/py-sum?n=1&n=2")).statusCode());
        String log = server.log();
        assertFalse(log.contains("WELD-000714") || log.contains("WELD-000715"), () -> server.logTail(40));
        assertTrue(log.contains("CPython 3.14"), "httpy's own log lines reach this log\n" + server.logTail(40));
        assertFalse(log.contains("nested-invocation guard on"), "the WAR sets the guard off; no advice expected");
    }

    @Override
    protected URI base() {
        return server.uri("/it");
    }
}
