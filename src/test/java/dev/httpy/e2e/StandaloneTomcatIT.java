package dev.httpy.e2e;

/** {@link StandaloneServerContract} in a real, unpacked Tomcat 11 started as its own process. */
class StandaloneTomcatIT extends StandaloneServerContract {

    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcat("tomcat-contract");
    }
}
