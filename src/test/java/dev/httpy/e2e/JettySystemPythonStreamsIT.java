package dev.httpy.e2e;

/** {@link StreamsContract} in a standalone Jetty on Debian's Python 3.11 (python.executable). */
class JettySystemPythonStreamsIT extends StreamsContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.jetty("jetty-streams-311");
    }

    @Override
    String pythonExecutable() {
        return "/usr/bin/python3.11";
    }
}
