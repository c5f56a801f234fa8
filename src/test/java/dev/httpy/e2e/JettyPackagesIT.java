package dev.httpy.e2e;

/** {@link PackagesContract} in a standalone Jetty 12.1. */
class JettyPackagesIT extends PackagesContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-packages");
    }
}
