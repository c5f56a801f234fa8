package dev.httpy.e2e;

/** {@link AsgiContract} in a standalone Tomcat. */
class TomcatAsgiIT extends AsgiContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-asgi");
    }
}
