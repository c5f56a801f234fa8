package dev.httpy.dispatch;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

import jakarta.servlet.http.HttpSession;

/**
 * Sends the session changes Python made in an asynchronous request to the other nodes of a Tomcat
 * cluster. Tomcat's {@code ReplicationValve} sends a request's session changes when the request
 * leaves it, which an asynchronous request has done before Python answers; its changes would wait
 * on this node for the session's next request there, and be lost with the node. So after Python
 * writes such a session, httpy asks the session's {@code ClusterManager} for the changes and gives
 * them to its cluster, as the valve does. Anything else (Jetty, which saves sessions when the
 * request completes; a Tomcat without a cluster) is left alone.
 *
 * <p>Tomcat's classes are reached by reflection: httpy does not depend on Tomcat.
 */
final class SessionReplication {
    private static final System.Logger LOG = System.getLogger(SessionReplication.class.getName());
    private static final String FACADE = "org.apache.catalina.session.StandardSessionFacade";
    private static final String CLUSTER_MANAGER = "org.apache.catalina.ha.ClusterManager";
    private static volatile boolean warned;

    private SessionReplication() {
    }

    /** After Python's writes to {@code session} in a request that went asynchronous. */
    static void afterAsyncWrite(HttpSession session) {
        if (!session.getClass().getName().equals(FACADE)) {
            return;
        }
        try {
            Field inner = session.getClass().getDeclaredField("session");
            inner.setAccessible(true);
            Object tomcatSession = inner.get(session);
            Object manager = tomcatSession.getClass().getMethod("getManager").invoke(tomcatSession);
            Class<?> clusterManager = Class.forName(CLUSTER_MANAGER, false, manager.getClass().getClassLoader());
            if (!clusterManager.isInstance(manager)) {
                return; // not clustered
            }
            Object message = clusterManager.getMethod("requestCompleted", String.class).invoke(manager, session.getId());
            if (message == null) {
                return;
            }
            Object cluster = clusterManager.getMethod("getCluster").invoke(manager);
            if (cluster == null) {
                return;
            }
            for (Method send : cluster.getClass().getMethods()) {
                if (send.getName().equals("send") && send.getParameterCount() == 1
                        && send.getParameterTypes()[0].isInstance(message)) {
                    send.invoke(cluster, message);
                    return;
                }
            }
            throw new NoSuchMethodException(cluster.getClass().getName() + ".send(ClusterMessage)");
        } catch (ClassNotFoundException notClustered) {
            // a Tomcat without its cluster module
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "httpy could not send the session changes of an asynchronous"
                        + " request to Tomcat's cluster; they go with the session's next request on this node", e);
            }
        }
    }
}
