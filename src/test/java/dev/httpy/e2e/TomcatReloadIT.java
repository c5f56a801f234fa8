package dev.httpy.e2e;

/** {@link ReloadContract} in a standalone Tomcat 11. */
class TomcatReloadIT extends ReloadContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-reload");
    }
}
