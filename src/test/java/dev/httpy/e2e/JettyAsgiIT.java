package dev.httpy.e2e;

/** {@link AsgiContract} in a standalone Jetty. */
class JettyAsgiIT extends AsgiContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-asgi");
    }
}
