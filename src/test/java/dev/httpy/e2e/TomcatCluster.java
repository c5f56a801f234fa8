package dev.httpy.e2e;

import java.util.List;

/**
 * Tomcat's own session replication between standalone Tomcats on this machine, configured as
 * Tomcat's clustering how-to does it: each node's {@code server.xml} gets a {@code <Cluster>}
 * (SimpleTcpCluster with the DeltaManager, which copies every session of a distributable web app to
 * every node) whose members are listed statically on 127.0.0.1 (no multicast), each receiving
 * cluster messages on a free port of its own. httpy has no part in it.
 */
final class TomcatCluster {
    /** The Tomcat log line, on each node, for each other node it has found. */
    static final String MEMBER_ADDED = "Replication member added";
    /** The Tomcat log line for a node that has left (a clean stop says so) or stopped answering. */
    static final String MEMBER_DISAPPEARED = "Received member disappeared";

    private TomcatCluster() {
    }

    /** Makes {@code nodes} (prepared, not yet started) one cluster. */
    static void join(List<ServerProcess> nodes) {
        int[] receivers = nodes.stream().mapToInt(n -> ServerProcess.freePort()).toArray();
        for (int i = 0; i < nodes.size(); i++) {
            var members = new StringBuilder();
            for (int j = 0; j < nodes.size(); j++) {
                if (j != i) {
                    members.append("""
                                        <Member className="org.apache.catalina.tribes.membership.StaticMember"
                                                host="127.0.0.1" port="%d" uniqueId="%s"/>
                            """.formatted(receivers[j], uniqueId(j)));
                }
            }
            nodes.get(i).editServerXml("    </Engine>", cluster(receivers[i], uniqueId(i), members) + "    </Engine>");
        }
    }

    /**
     * The cluster of one node. Tomcat's default cluster with three changes: the members are listed
     * (StaticMembershipService) instead of found by multicast; the receiver binds its own port on
     * loopback or fails (autoBind 1: one try), where by default it would take the next free one and
     * the other nodes would not find it; and changes are sent synchronously, acknowledged once the
     * other nodes have applied them (use_ack,sync, as in Tomcat's own configuration example), so
     * a request that has ended on one node has its session changes on the others.
     */
    private static String cluster(int receiver, String uniqueId, CharSequence members) {
        return """
                      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster" channelSendOptions="use_ack,sync">
                        <Manager className="org.apache.catalina.ha.session.DeltaManager"
                                 expireSessionsOnShutdown="false" notifyListenersOnReplication="true"/>
                        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
                          <Membership className="org.apache.catalina.tribes.membership.StaticMembershipService">
                            <LocalMember className="org.apache.catalina.tribes.membership.StaticMember" uniqueId="%s"/>
                %s          </Membership>
                          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                                    address="127.0.0.1" port="%d" autoBind="1" selectorTimeout="100" maxThreads="6"/>
                          <Sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
                            <Transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender"/>
                          </Sender>
                          <Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
                          <Interceptor className="org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor"/>
                        </Channel>
                        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=""/>
                        <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
                      </Cluster>
                """.formatted(uniqueId, members, receiver);
    }

    /** A member's 16-byte id in Tomcat's notation: fifteen zeros and its index. */
    private static String uniqueId(int node) {
        return "{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0," + node + "}";
    }
}
