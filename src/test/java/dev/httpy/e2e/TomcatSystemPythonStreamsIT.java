package dev.httpy.e2e;

/** {@link StreamsContract} in a standalone Tomcat on Debian's Python 3.11 (python.executable). */
class TomcatSystemPythonStreamsIT extends StreamsContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-streams-311");
    }

    @Override
    String pythonExecutable() {
        return "/usr/bin/python3.11";
    }
}
