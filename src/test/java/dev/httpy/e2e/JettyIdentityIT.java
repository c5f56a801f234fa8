package dev.httpy.e2e;

/** {@link IdentityContract} in a standalone Jetty 12.1, its users in a HashLoginService. */
class JettyIdentityIT extends IdentityContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-identity");
    }
}
