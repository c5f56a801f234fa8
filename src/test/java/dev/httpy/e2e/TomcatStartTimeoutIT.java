package dev.httpy.e2e;

/** {@link StartTimeoutContract} in a standalone Tomcat. */
class TomcatStartTimeoutIT extends StartTimeoutContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-start-timeout");
    }
}
