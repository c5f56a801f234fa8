package dev.httpy.e2e;

/** {@link IdentityContract} in a standalone Tomcat 11, its users in conf/tomcat-users.xml. */
class TomcatIdentityIT extends IdentityContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-identity");
    }
}
