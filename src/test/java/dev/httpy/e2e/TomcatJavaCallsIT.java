package dev.httpy.e2e;

/** {@link JavaCallsContract} in a standalone Tomcat 11 (Weld from the example WAR). */
class TomcatJavaCallsIT extends JavaCallsContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-java-calls");
    }
}
