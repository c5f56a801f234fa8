package dev.httpy.e2e;

/** {@link StandaloneServerContract} in a real Jetty 12.1 (ee11) started as its own process. */
class StandaloneJettyIT extends StandaloneServerContract {

    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-contract");
    }
}
