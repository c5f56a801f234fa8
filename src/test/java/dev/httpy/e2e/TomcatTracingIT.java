package dev.httpy.e2e;

import org.junit.jupiter.api.TestInstance;

/** {@link TracingContract} in a standalone Tomcat. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatTracingIT extends TracingContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-tracing");
    }
}
