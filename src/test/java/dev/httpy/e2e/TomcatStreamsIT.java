package dev.httpy.e2e;

/** {@link StreamsContract} in a standalone Tomcat on the embedded CPython 3.14. */
class TomcatStreamsIT extends StreamsContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-streams");
    }

    @Override
    String pythonExecutable() {
        return null;
    }
}
