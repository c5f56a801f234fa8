package dev.httpy.e2e;

/** {@link StartTimeoutContract} in a standalone Jetty. */
class JettyStartTimeoutIT extends StartTimeoutContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-start-timeout");
    }
}
