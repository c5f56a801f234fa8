package dev.httpy.e2e;

/**
 * {@link RequestPathContract} in a standalone Tomcat 11 whose connector runs requests on virtual
 * threads: Python must never run on one, so every request takes the workers.
 */
class TomcatVirtualThreadsRequestPathIT extends RequestPathContract {
    @Override
    ServerProcess newServer() {
        return ServerProcess.tomcatOnVirtualThreads("tomcat-virtual-paths");
    }

    @Override
    boolean platformRequestThreads() {
        return false;
    }
}
