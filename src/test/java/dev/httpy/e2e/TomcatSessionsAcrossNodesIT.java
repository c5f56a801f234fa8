package dev.httpy.e2e;

import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A session Python wrote survives the node that served it, through the container's own session
 * replication: two real Tomcats on this machine form a cluster ({@link TomcatCluster}: the
 * SimpleTcpCluster and its DeltaManager, static members on 127.0.0.1), and the web app is
 * {@code <distributable/>}. httpy only writes the session through {@code HttpSession.setAttribute},
 * with values Java can serialize; Tomcat does the rest.
 *
 * <p>Given a cluster of nodes A and B, on node A Python ({@code sessions_app.py},
 * {@code python.session=create}, a filter with async support, as users declare it) starts a session and stores
 * strings, numbers, a boolean, None, lists, a dict and a tuple; then changes a dict and a list in
 * place, without assigning them again; then assigns the dict again. A second filter of the same
 * function writes another session from a slow request, long after it went asynchronous. When node A stops,
 * cleanly, node B, given the same session cookies, answers in Python and in a plain Java servlet.
 * Node B is asked only once A has stopped: Tomcat's DeltaManager expects a session to be used on
 * one node at a time, and a change arriving from another node replaces the changes a node has not
 * sent yet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatSessionsAcrossNodesIT {
    /** Long for two messages over loopback, short enough for a test that fails to end soon. */
    private static final Duration REPLICATION = Duration.ofSeconds(30);
    private static final String CONTEXT = "/s";
    private static final String PROFILE_AS_WRITTEN = "profile: dict {'name': 'alice', 'age': 37, 'tags': ['x', 'y'],"
            + " 'address': {'city': 'Oslo'}, 'note': None} (as written)";
    private static final String ITEMS_AS_WRITTEN = "items: list ['a', 1, 2.5, False, None, ['nested']] (as written)";

    private ServerProcess nodeA;
    private ServerProcess nodeB;
    /** The session written by the first requests of a route, and the one written by a slow request. */
    private String cookie;
    private String asyncCookie;
    /** Node A's own Python reading its session after the in-place change. */
    private String seenOnAAfterInPlace;

    @BeforeAll
    void writeOnNodeAThenStopIt() throws Exception {
        nodeA = ServerProcess.tomcat("tomcat-cluster-a");
        nodeB = ServerProcess.tomcat("tomcat-cluster-b");
        TomcatCluster.join(List.of(nodeA, nodeB));
        Path war = war();
        nodeA.deploy(war, "s");
        nodeB.deploy(war, "s");
        // One after the other: a node whose web app starts asks the others for their sessions, and
        // waits up to a minute for an answer from one whose web app is still starting.
        nodeA.start().awaitStatus(CONTEXT + "/py/read", 200);
        nodeB.start().awaitStatus(CONTEXT + "/py/read", 200);
        awaitLog(nodeA, TomcatCluster.MEMBER_ADDED);
        awaitLog(nodeB, TomcatCluster.MEMBER_ADDED);

        var written = HttpClientSupport.get(nodeA.uri(CONTEXT + "/py/write"));
        assertEquals(200, written.statusCode(), written.body());
        cookie = sessionCookie(written);
        assertEquals(200, onA("/py/change-in-place").statusCode());
        seenOnAAfterInPlace = onA("/py/read").body();
        assertEquals(200, onA("/py/assign-again").statusCode());

        var writtenLate = HttpClientSupport.get(nodeA.uri(CONTEXT + "/async/write"));
        assertEquals(200, writtenLate.statusCode(), writtenLate.body());
        asyncCookie = sessionCookie(writtenLate);

        var stopped = nodeA.stop();
        assertFalse(stopped.killed(), "node A ignored SIGTERM; its log ends:\n" + nodeA.logTail(60));
        awaitLog(nodeB, TomcatCluster.MEMBER_DISAPPEARED);
        awaitOnB("step: str 'assigned again'");
    }

    @AfterAll
    void stopBothNodes() {
        for (var node : new ServerProcess[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void pythonOnTheOtherNodeReadsBackWhatPythonWrote() throws Exception {
        var read = onB("/py/read", cookie);

        assertEquals(200, read.statusCode(), read.body());
        assertEquals("""
                count: int 42 (as written)
                flag: bool True (as written)
                items: list ['a', 1, 2.5, False, None, ['nested']] (as written)
                large: int -9223372036854775808 (as written)
                pair: list ['left', 2] (changed)
                profile: dict {'name': 'alice', 'age': 37, 'tags': ['x', 'y'], 'address': {'city': 'Oslo'}, 'note': None, \
                'assigned_again': True} (changed)
                ratio: float 0.25 (as written)
                step: str 'assigned again'
                text: str 'grüße, 東京' (as written)
                """, read.body(), "str, int, float, bool, list and dict come back as written (the dict as assigned"
                + " again), a tuple as a list; None stays inside a list or dict, and a None assigned to a name"
                + " removed it (HttpSession.setAttribute(name, null))");
    }

    @Test
    void aJavaServletOnTheOtherNodeReadsTheSameValuesAsJavaTypes() throws Exception {
        var read = onB("/java/session", cookie);

        assertEquals(200, read.statusCode(), read.body());
        assertEquals("""
                count = Long 42
                flag = Boolean true
                items = ArrayList[String "a", Long 1, Double 2.5, Boolean false, null, ArrayList[String "nested"]]
                large = Long -9223372036854775808
                pair = Collections$UnmodifiableRandomAccessList[String "left", Long 2]
                profile = LinkedHashMap{name=String "alice", age=Long 37, tags=ArrayList[String "x", String "y"], \
                address=LinkedHashMap{city=String "Oslo"}, note=null, assigned_again=Boolean true}
                ratio = Double 0.25
                step = String "assigned again"
                text = String "grüße, 東京"
                """, read.body());
    }

    @Test
    void aValueChangedInPlaceIsNotReplicatedButOneAssignedAgainIs() throws Exception {
        String onB = onB("/py/read", cookie).body();

        assertContainsLine(onB, ITEMS_AS_WRITTEN, "node B: the list appended to in place");
        assertContainsLine(onB, "profile: dict {'name': 'alice', 'age': 37, 'tags': ['x', 'y'], 'address': {'city': 'Oslo'},"
                + " 'note': None, 'assigned_again': True} (changed)", "node B: the dict assigned again");
        assertContainsLine(seenOnAAfterInPlace, PROFILE_AS_WRITTEN,
                "node A itself never had the dict changed in place: Python changed its own copy of the value");
        assertContainsLine(seenOnAAfterInPlace, ITEMS_AS_WRITTEN,
                "node A itself never had the list appended to in place: Python changed its own copy of the value");
    }

    /**
     * A request that went asynchronous (a slow one here; any route's first calls) writes the session
     * after it has left Tomcat's ReplicationValve, which sends a request's changes as it leaves;
     * httpy sends them itself then, so they do not wait on node A for the session's next request
     * there and go with A.
     */
    @Test
    void aSessionWrittenLongAfterTheRequestWentAsynchronousReachesTheOtherNode() throws Exception {
        var read = onB("/py/read", asyncCookie);

        assertEquals(200, read.statusCode(), read.body());
        assertEquals("written_late: str 'after the valves'\n", read.body());
    }

    /** The packaged WAR with {@code src/test/resources/sessions}: web.xml, sessions_app.py, and the Java servlet. */
    private static Path war() {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        archive.setWebXML(new File("src/test/resources/sessions/web.xml"))
                .addAsWebInfResource(new File("src/test/resources/sessions/sessions_app.py"), "python/sessions_app.py")
                .addClass(SessionAttributesServlet.class);
        return ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/sessions.war"));
    }

    private HttpResponse<String> onA(String path) throws Exception {
        return HttpClientSupport.get(nodeA.uri(CONTEXT + path), "Cookie", cookie);
    }

    private HttpResponse<String> onB(String path, String sessionCookie) throws Exception {
        return HttpClientSupport.get(nodeB.uri(CONTEXT + path), "Cookie", sessionCookie);
    }

    /** Node B's Python reading of the session, polled until it holds {@code line}; the reading never starts one. */
    private void awaitOnB(String line) throws Exception {
        if (await(() -> onB("/py/read", cookie).body(), body -> body.lines().anyMatch(line::equals)) == null) {
            throw new AssertionError("node B did not have \"" + line + "\" within " + REPLICATION + "; it read:\n"
                    + onB("/py/read", cookie).body() + "\nnode A's log ends:\n" + nodeA.logTail(30)
                    + "\nnode B's log ends:\n" + nodeB.logTail(30));
        }
    }

    private static void awaitLog(ServerProcess node, String line) throws Exception {
        if (await(node::log, log -> log.contains(line)) == null) {
            throw new AssertionError(node + " did not log \"" + line + "\" within " + REPLICATION + "; its log ends:\n"
                    + node.logTail(60));
        }
    }

    private interface Reading {
        String read() throws Exception;
    }

    /** Reads until {@code done} holds, for at most {@link #REPLICATION}: the reading that did, or null. */
    private static String await(Reading reading, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + REPLICATION.toNanos();
        while (System.nanoTime() < deadline) {
            String value = reading.read();
            if (done.test(value)) {
                return value;
            }
            Thread.sleep(100);
        }
        return null;
    }

    private static String sessionCookie(HttpResponse<String> response) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID=")).findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie: " + response.headers().map())).split(";")[0];
    }

    private static void assertContainsLine(String reading, String line, String when) {
        if (reading.lines().noneMatch(line::equals)) {
            throw new AssertionError(when + ": expected the line\n" + line + "\nin:\n" + reading);
        }
    }
}
