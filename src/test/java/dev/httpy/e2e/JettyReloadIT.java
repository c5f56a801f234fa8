package dev.httpy.e2e;

/** {@link ReloadContract} in a standalone Jetty 12.1. */
class JettyReloadIT extends ReloadContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-reload");
    }
}
