package dev.httpy.e2e;

/** {@link BeanCallsContract} in a standalone Tomcat 11 (Weld from the example WAR). */
class TomcatJavaCallsIT extends BeanCallsContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-java-calls");
    }
}
