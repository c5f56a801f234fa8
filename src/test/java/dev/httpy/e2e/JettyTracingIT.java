package dev.httpy.e2e;

import org.junit.jupiter.api.TestInstance;

/** {@link TracingContract} in a standalone Jetty. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JettyTracingIT extends TracingContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-tracing");
    }
}
