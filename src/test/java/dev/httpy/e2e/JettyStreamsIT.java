package dev.httpy.e2e;

/** {@link StreamsContract} in a standalone Jetty on the embedded CPython 3.14. */
class JettyStreamsIT extends StreamsContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-streams");
    }

    @Override
    String pythonExecutable() {
        return null;
    }
}
