package dev.httpy.e2e;

/** {@link RequestPathContract} in a standalone Tomcat 11. */
class TomcatRequestPathIT extends RequestPathContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-paths");
    }
}
