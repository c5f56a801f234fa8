package dev.httpy.e2e;

/** {@link BeanCallsContract} in a standalone Jetty 12.1 (ee11-cdi-decorate for Weld). */
class JettyJavaCallsIT extends BeanCallsContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-java-calls");
    }
}
