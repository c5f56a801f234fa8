package dev.httpy.e2e;

/** {@link TodaysStacksContract} in a standalone Tomcat. */
class TomcatTodaysStacksIT extends TodaysStacksContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-today");
    }
}
