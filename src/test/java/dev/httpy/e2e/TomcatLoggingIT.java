package dev.httpy.e2e;

/** {@link LoggingContract} in a real, unpacked Tomcat 11 started as its own process: its console.log. */
class TomcatLoggingIT extends LoggingContract {

    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-logging");
    }
}
