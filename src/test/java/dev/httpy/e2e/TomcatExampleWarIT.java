package dev.httpy.e2e;

/** {@link ExampleWarContract} in a standalone Tomcat 11 (Weld from the example WAR). */
class TomcatExampleWarIT extends ExampleWarContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-example-war");
    }
}
