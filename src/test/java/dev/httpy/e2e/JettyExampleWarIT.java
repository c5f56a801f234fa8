package dev.httpy.e2e;

/** {@link ExampleWarContract} in a standalone Jetty 12.1 (ee11-cdi-decorate for Weld). */
class JettyExampleWarIT extends ExampleWarContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-example-war");
    }
}
