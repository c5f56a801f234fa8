package dev.httpy.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * httpy as a library a web app adds in one step: a separate Maven project
 * ({@code src/test/projects/minimal-war}) that depends on {@code dev.httpy:httpy} as the build just
 * installed it in the local repository, and whose {@code web.xml} names its Python app in two
 * context-params and declares nothing of httpy's, built here by Maven (offline) and deployed into a
 * real Tomcat and a real Jetty; beside it, the same WAR with a filter declared in {@code web.xml},
 * which wins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibraryWarIT {
    private static final Path PROJECT = Path.of("src/test/projects/minimal-war");
    private static final Path LIBRARY_JAR = Path.of(System.getProperty("httpy.test.libraryJar", "target/httpy.jar"));
    private static final Path EXAMPLE_WAR = Path.of(System.getProperty("httpy.test.war", "target/httpy.war"));
    private static final String VERSION = NestedMaven.VERSION;
    /** What web.xml adds in the second WAR: the listener and a filter of its own, with other routes. */
    private static final String DECLARED = """
              <listener>
                <listener-class>dev.httpy.servlet.PythonLifecycleListener</listener-class>
              </listener>
              <filter>
                <filter-name>declared</filter-name>
                <filter-class>dev.httpy.servlet.PythonDispatchFilter</filter-class>
                <async-supported>true</async-supported>
                <init-param><param-name>python.handler</param-name><param-value>app:handle</param-value></init-param>
                <init-param><param-name>python.routes</param-name><param-value>/declared/:name</param-value></init-param>
              </filter>
              <filter-mapping>
                <filter-name>declared</filter-name>
                <url-pattern>/*</url-pattern>
              </filter-mapping>
            </web-app>
            """;

    private Path war;
    private final List<ServerProcess> servers = new ArrayList<>();

    @BeforeAll
    void buildTheWebAppAndStartTheServers() throws Exception {
        Path work = ServerProcess.SERVERS.resolve("library-war");
        ServerProcess.deleteTree(work);
        Path project = copy(PROJECT, work.resolve("minimal-war"));
        war = mavenPackage(project).resolve("target/minimal.war");

        var declared = ShrinkWrap.createFromZipFile(WebArchive.class, war.toFile());
        String webXml = Files.readString(project.resolve("src/main/webapp/WEB-INF/web.xml"));
        declared.delete("WEB-INF/web.xml");
        declared.setWebXML(new StringAsset(webXml.replace("</web-app>", DECLARED)));
        Path declaredWar = ItWar.export(declared, work.resolve("declared.war"));

        servers.add(ServerProcess.tomcat("tomcat-library"));
        servers.add(ServerProcess.jetty("jetty-library"));
        for (var server : servers) {
            server.deploy(war, "minimal");
            server.deploy(declaredWar, "declared");
            server.start().awaitStatus("/minimal/hello", 200);
            server.awaitStatus("/declared/declared/x", 200);
        }
    }

    @AfterAll
    void stopTheServers() {
        servers.forEach(ServerProcess::close);
    }

    @Test
    void theLibraryJarHasTheInitializerAndNoExampleClasses() throws IOException {
        try (var jar = new ZipFile(LIBRARY_JAR.toFile())) {
            var entries = jar.stream().map(ZipEntry::getName).toList();
            assertTrue(entries.contains("dev/httpy/servlet/PythonDispatchFilter.class"), LIBRARY_JAR.toString());
            assertEquals("dev.httpy.servlet.HttpyInitializer", new String(jar.getInputStream(
                    jar.getEntry("META-INF/services/jakarta.servlet.ServletContainerInitializer")).readAllBytes(),
                    StandardCharsets.UTF_8).strip());
            assertFalse(entries.stream().anyMatch(name -> name.startsWith("dev/httpy/example/")),
                    "the example's servlets are not the library's: " + entries);
        }
    }

    @Test
    void theWebAppGetsTheInstalledLibraryTheEmbeddedPythonAndJepsApiAndNothingElse() throws IOException {
        assertEquals(Set.of("httpy-" + VERSION + ".jar", "cpython-3.14.3-1.5.13-linux-x86_64.jar", "jep-4.2.2.jar"),
                libraries(war), "Weld is optional, the servlet and WebSocket APIs provided, the test libraries"
                        + " test-scoped; Jep's pure-Java API is the library's (dev.httpy.jep)");
        try (var zip = new ZipFile(war.toFile())) {
            byte[] packed = zip.getInputStream(zip.getEntry("WEB-INF/lib/httpy-" + VERSION + ".jar")).readAllBytes();
            assertArrayEquals(Files.readAllBytes(LIBRARY_JAR), packed,
                    "the web app was built against the jar this build installed (did another build install one since?)");
        }
    }

    @Test
    void theExampleWarStillHasWeldAndItsServlets() throws IOException {
        assertTrue(libraries(EXAMPLE_WAR).contains("weld-servlet-core-6.0.4.Final.jar"), libraries(EXAMPLE_WAR).toString());
        try (var zip = new ZipFile(EXAMPLE_WAR.toFile())) {
            assertTrue(zip.getEntry("WEB-INF/classes/dev/httpy/example/HelloServlet.class") != null, EXAMPLE_WAR.toString());
        }
    }

    @Test
    void aPythonRouteAnswersFromPython() throws Exception {
        for (var server : servers) {
            var hello = HttpClientSupport.get(server.uri("/minimal/hello/jakarta"));
            assertEquals(200, hello.statusCode(), server + ": " + hello.body());
            assertEquals("hello jakarta from python 3.14 at /hello/jakarta", hello.body(), server.toString());
        }
    }

    @Test
    void aPathNoRouteClaimsGoesOnToTheServletOrA404() throws Exception {
        for (var server : servers) {
            var java = HttpClientSupport.get(server.uri("/minimal/java"));
            assertEquals(200, java.statusCode(), server.toString());
            assertEquals("hello from java", java.body(), server.toString());
            assertEquals(404, HttpClientSupport.get(server.uri("/minimal/nothing")).statusCode(), server.toString());
            assertEquals(404, HttpClientSupport.get(server.uri("/minimal/hello/a/b")).statusCode(), server.toString());
        }
    }

    @Test
    void aFilterDeclaredInWebXmlWinsOverTheContextParams() throws Exception {
        for (var server : servers) {
            var declared = HttpClientSupport.get(server.uri("/declared/declared/x"));
            assertEquals("hello x from python 3.14 at /declared/x", declared.body(), server.toString());
            assertEquals(404, HttpClientSupport.get(server.uri("/declared/hello")).statusCode(),
                    server + ": the context-params' routes are not served, since no filter was added for them");
            assertEquals("hello from java", HttpClientSupport.get(server.uri("/declared/java")).body(), server.toString());
            String log = logs(server);
            assertTrue(log.contains("web.xml declares the PythonDispatchFilter [declared], so no filter is added and the"
                    + " context-params [python.handler, python.init] are not used"), server + ":\n" + log);
        }
    }

    /** Two apps, two starts: the declared app's second listener (web.xml's and the added one) started nothing. */
    @Test
    void pythonStartsOncePerWebApp() throws Exception {
        for (var server : servers) {
            String log = logs(server);
            assertEquals(2, log.lines().filter(line -> line.contains("httpy: Python 3.14")).count(), server + ":\n" + log);
            assertEquals(1, log.lines().filter(line -> line.contains("httpy: Python already runs for this web app")).count(),
                    server + ":\n" + log);
        }
    }

    /** The server's console and, for Tomcat, its host log, where ServletContext.log writes. */
    private static String logs(ServerProcess server) {
        return server.log() + server.hostLog();
    }

    private static Set<String> libraries(Path war) throws IOException {
        try (var zip = new ZipFile(war.toFile())) {
            var names = new TreeSet<String>();
            zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/lib/") && n.endsWith(".jar"))
                    .forEach(n -> names.add(n.substring("WEB-INF/lib/".length())));
            return names;
        }
    }

    private static Path mavenPackage(Path project) throws IOException, InterruptedException {
        return NestedMaven.packageProject(project, true);
    }

    private static Path copy(Path from, Path to) throws IOException {
        return NestedMaven.copy(from, to);
    }
}
