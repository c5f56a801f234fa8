package dev.httpy.e2e;

/** {@link RequestPathContract} in a standalone Jetty 12.1. */
class JettyRequestPathIT extends RequestPathContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-paths");
    }
}
