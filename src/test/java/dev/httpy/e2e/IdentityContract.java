package dev.httpy.e2e;

import java.io.File;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who the container's own login authenticated reaches Python in each interface's idiom, and
 * nothing else does: a WSGI app behind a BASIC security-constraint sees REMOTE_USER and AUTH_TYPE,
 * an ASGI app the scope extension remote_user; unprotected routes see neither, however the
 * client's headers (Remote-User, X-Remote-User) try to claim one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IdentityContract {
    private ServerProcess server;

    /** A fresh, not yet started server. */
    abstract ServerProcess newServer();

    @BeforeAll
    void start() throws Exception {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        archive.setWebXML(new File("src/test/resources/identity/web.xml"))
                .addAsWebInfResource(new File("src/test/resources/identity/identity_app.py"), "python/identity_app.py")
                .addClasses(JavaSideOfTheRequest.class, JavaSideOfTheRequest.AttributesFilter.class,
                        JavaSideOfTheRequest.SessionServlet.class);
        server = newServer().addUser("httpy", "alice", "alice-secret", "py-user")
                .addUser("httpy", "bob", "bob-secret", "other");
        Path war = ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/identity.war"));
        server.deploy(war, "id");
        server.deploy(war, "other"); // another web app of the same server, for isolation
        server.start().awaitStatus("/id/open/wsgi", 200);
        server.awaitStatus("/other/open/wsgi", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return HttpClientSupport.get(server.uri("/id" + path), headers);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aWsgiAppBehindTheContainersLoginSeesRemoteUserAndAuthType() throws Exception {
        assertEquals(401, get("/secure/wsgi").statusCode(), "the container asks for a login first");
        assertEquals(403, get("/secure/wsgi", "Authorization", basic("bob", "bob-secret")).statusCode(),
                "bob lacks the role");
        var alice = get("/secure/wsgi", "Authorization", basic("alice", "alice-secret"));
        assertEquals(200, alice.statusCode(), alice.body());
        assertEquals("{\"REMOTE_USER\": \"alice\", \"AUTH_TYPE\": \"BASIC\", \"HTTPS\": null, \"HTTP_REMOTE_USER\": null,"
                + " \"HTTP_X_REMOTE_USER\": null}", alice.body());
    }

    @Test
    void spoofedHeadersNeverBecomeRemoteUser() throws Exception {
        var spoofed = get("/open/wsgi", "Remote-User", "mallory", "X-Remote-User", "mallory");
        assertEquals(200, spoofed.statusCode(), spoofed.body());
        assertEquals("{\"REMOTE_USER\": null, \"AUTH_TYPE\": null, \"HTTPS\": null, \"HTTP_REMOTE_USER\": \"mallory\","
                + " \"HTTP_X_REMOTE_USER\": \"mallory\"}", spoofed.body(), "the headers stay headers");
        var withLogin = get("/secure/wsgi", "Authorization", basic("alice", "alice-secret"), "Remote-User", "mallory");
        assertEquals(200, withLogin.statusCode(), withLogin.body());
        assertEquals("{\"REMOTE_USER\": \"alice\", \"AUTH_TYPE\": \"BASIC\", \"HTTPS\": null, \"HTTP_REMOTE_USER\": \"mallory\","
                + " \"HTTP_X_REMOTE_USER\": null}", withLogin.body(), "the login wins over the header");
    }

    @Test
    void anAsgiAppSeesTheLoginAsTheRemoteUserExtension() throws Exception {
        assertEquals(401, get("/secure/asgi").statusCode());
        var alice = get("/secure/asgi", "Authorization", basic("alice", "alice-secret"), "Remote-User", "mallory");
        assertEquals(200, alice.statusCode(), alice.body());
        assertEquals("{\"remote_user\": {\"user\": \"alice\", \"auth_type\": \"BASIC\"}, \"header\": \"mallory\"}",
                alice.body());
        var open = get("/open/asgi", "Remote-User", "mallory");
        assertEquals(200, open.statusCode(), open.body());
        assertEquals("{\"remote_user\": null, \"header\": \"mallory\"}", open.body());
    }

    private static String cookie(HttpResponse<String> response) {
        return response.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError(
                "no session cookie: " + response.headers().map())).split(";")[0];
    }

    @Test
    void aRequestFunctionReadsTheLoginRolesAttributesAndSessionAndWritesTheSessionJavaReadsNext() throws Exception {
        String alice = basic("alice", "alice-secret");
        var stored = get("/java/session?put=cart&value=apple", "Authorization", alice);
        assertEquals("stored cart", stored.body());
        String session = cookie(stored);

        var seen = get("/secure/fn", "Authorization", alice, "Cookie", session, "Remote-User", "mallory");
        assertEquals(200, seen.statusCode(), seen.body());
        assertEquals("{\"user\": \"alice\", \"auth_type\": \"BASIC\", \"py-user\": true, \"admin\": false,"
                + " \"attributes\": {\"tenant\": \"acme\", \"trace.count\": 7, \"ratio\": 0.5, \"sampled\": true},"
                + " \"refused\": \"request attribute 'connection' holds a java.lang.StringBuilder, which httpy does not"
                + " pass to Python (strings, numbers and booleans; in the session also lists and dicts of them)\","
                + " \"cart\": \"apple\"}", seen.body());
        // The login changed the session's id (both containers guard against session fixation): as a browser, follow it.
        session = seen.headers().firstValue("Set-Cookie").map(c -> c.split(";")[0]).orElse(session);
        assertEquals("{n=3, tags=[a, b]} (HashMap)",
                get("/java/session?get=from_python", "Authorization", alice, "Cookie", session).body()
                        .replace("LinkedHashMap", "HashMap"), "Python's write, read by the Java servlet on the next request");

        assertEquals("written", get("/secure/wsgi-session", "Authorization", alice, "Cookie", session).body());
        assertEquals("alice (String)", get("/java/session?get=from_wsgi", "Authorization", alice, "Cookie", session).body());
        assertEquals("written; then: this session is read-only: the response has started (http.response.start);"
                + " write it before", get("/secure/asgi-session", "Authorization", alice, "Cookie", session).body());
        assertEquals("alice (String)", get("/java/session?get=from_asgi", "Authorization", alice, "Cookie", session).body());
        assertEquals("none", get("/java/session?get=too_late", "Authorization", alice, "Cookie", session).body());
    }

    @Test
    void anAnonymousRequestSeesNoUserAndStartsASessionOnlyWhereTheFilterAllows() throws Exception {
        var anonymous = get("/open/fn", "Remote-User", "mallory", "X-Remote-User", "mallory");
        assertEquals(200, anonymous.statusCode(), anonymous.body());
        assertTrue(anonymous.body().startsWith("{\"user\": null, \"auth_type\": null, \"py-user\": false, \"admin\": false,"),
                anonymous.body());
        assertTrue(anonymous.headers().firstValue("Set-Cookie").isEmpty(), "no session was started");

        var started = get("/open/new-session");
        assertEquals(200, started.statusCode(), started.body());
        assertEquals("python (String)", get("/java/session?get=made_by", "Cookie", cookie(started)).body(),
                "the session Python started is the one Java sees");
    }

    @Test
    void aRequestFunctionThatRaisesAfterWritingTheSessionChangesNothingJavaSees() throws Exception {
        String session = cookie(get("/java/session?put=cart&value=apple"));
        var failed = get("/open/fn-raises", "Cookie", session);
        assertEquals(500, failed.statusCode(), failed.body());
        assertFalse(failed.body().contains("after writing the session"), "the traceback reached the client: " + failed.body());
        assertEquals("apple (String)", get("/java/session?get=cart", "Cookie", session).body());
        assertEquals("none", get("/java/session?get=ghost", "Cookie", session).body());
    }

    @Test
    void anotherWebAppsPythonNeverSeesThisWebAppsSession() throws Exception {
        var stored = get("/java/session?put=cart&value=secret");
        String session = cookie(stored);
        assertTrue(get("/open/fn", "Cookie", session).body().endsWith("\"cart\": \"secret\"}"), "this app's Python sees it");
        var other = HttpClientSupport.get(server.uri("/other/open/fn"), "Cookie", session);
        assertEquals(200, other.statusCode(), other.body());
        assertTrue(other.body().endsWith("\"cart\": null}"), "the other app's Python, sent the same cookie: " + other.body());
    }
}
