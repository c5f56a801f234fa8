package dev.httpy.e2e;

/**
 * {@link LoggingContract} in a real Jetty 12.1 (ee11) started as its own process: java.util.logging's
 * console handler writes to its standard error, which is its logs/console.log.
 */
class JettyLoggingIT extends LoggingContract {

    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-logging");
    }
}
