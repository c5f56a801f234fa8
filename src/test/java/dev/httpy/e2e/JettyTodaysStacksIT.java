package dev.httpy.e2e;

/** {@link TodaysStacksContract} in a standalone Jetty. */
class JettyTodaysStacksIT extends TodaysStacksContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-today");
    }
}
