package dev.httpy.e2e;

/** {@link PackagesContract} in a standalone Tomcat 11. */
class TomcatPackagesIT extends PackagesContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-packages");
    }
}
