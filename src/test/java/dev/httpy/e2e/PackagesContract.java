package dev.httpy.e2e;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import dev.httpy.build.Wheelhouse;
import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packages installed by the build step, in a real server, on the embedded CPython 3.14: a wheelhouse
 * built here (a pure-Python package, a C extension, Flask 2.2's stack packed from Debian's files)
 * installed offline with hash-pinned requirements into the WAR's WEB-INF/python-packages, then
 * imported by a request function, by workers with a GIL each, and by Flask with a GIL per worker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PackagesContract {
    private static final Pattern INTERPRETER = Pattern.compile("\"interpreter\": (\\d+), \"module_sees\": (\\d+)");
    private ServerProcess server;

    /** A fresh, not yet started server. */
    abstract ServerProcess newServer();

    @BeforeAll
    void start() throws Exception {
        Wheelhouse.assumeDebianPython();
        Path work = ServerProcess.SERVERS.resolve("packages-" + getClass().getSimpleName());
        ServerProcess.deleteTree(work);
        Path wheels = Wheelhouse.build(work.resolve("wheels"), true);
        Path requirements = Files.writeString(work.resolve("requirements.txt"), Wheelhouse.hashPinned(wheels));
        Path installed = work.resolve("python-packages");
        var step = Wheelhouse.install(requirements, installed, wheels);
        assertEquals(0, step.exit(), step.output());

        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        archive.delete("WEB-INF/python-packages");
        archive.setWebXML(new File("src/test/resources/packages/web.xml"))
                .addAsWebInfResource(new File("src/test/resources/packages/packages_app.py"), "python/packages_app.py");
        try (var files = Files.walk(installed)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                archive.addAsWebInfResource(file.toFile(), "python-packages/" + installed.relativize(file));
            }
        }
        server = newServer();
        server.deploy(ItWar.export(archive, work.resolve("pkgs.war")), "pkgs");
        server.start().awaitStatus("/pkgs/pure", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private URI uri(String path) {
        return server.uri("/pkgs" + path);
    }

    @Test
    void aPurePythonPackageAnswers() throws Exception {
        var response = HttpClientSupport.get(uri("/pure?name=tomcat"));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("hello tomcat from httpy_pure", response.body());
    }

    @Test
    void installedPackagesComeRightAfterTheAppsCodeOnSysPath() throws Exception {
        String path = HttpClientSupport.get(uri("/path")).body();
        int code = path.indexOf("WEB-INF/python\"");
        int packages = path.indexOf("WEB-INF/python-packages\"");
        int stdlib = path.indexOf("/lib/python3.14\"");
        assertTrue(code >= 0 && code < packages && packages < stdlib, path);
    }

    @Test
    void theCExtensionLoadsInTheAppsSubInterpreter() throws Exception {
        var response = HttpClientSupport.get(uri("/speedup?a=2&b=40"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"sum\": 42"), response.body());
        var ids = INTERPRETER.matcher(response.body());
        assertTrue(ids.find(), response.body());
        assertNotEquals("0", ids.group(1), "the app runs in a sub-interpreter (auto found nothing refusing one)");
        assertEquals(ids.group(1), ids.group(2), "the module's own view of its interpreter");
    }

    @Test
    void theCExtensionLoadsInEveryWorkerWithAGilOfItsOwn() throws Exception {
        String shared = interpreterOf(HttpClientSupport.get(uri("/speedup?a=1&b=1")).body());
        Set<String> interpreters = new HashSet<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int n = i;
                answers.add(pool.submit(() -> {
                    var response = HttpClientSupport.get(uri("/own/speedup?pause=0.05&a=" + n + "&b=1000"));
                    assertEquals(200, response.statusCode(), response.body());
                    assertTrue(response.body().contains("\"sum\": " + (n + 1000)), response.body());
                    return interpreterOf(response.body());
                }));
            }
            for (var answer : answers) {
                interpreters.add(answer.get());
            }
        }
        assertEquals(2, interpreters.size(), "two workers, each its own interpreter: " + interpreters);
        assertTrue(!interpreters.contains(shared) && !interpreters.contains("0"), interpreters + " vs " + shared);
    }

    /** The filter has python.gil=per-worker: Flask and its stack import in interpreters with a GIL each. */
    @Test
    void flaskInstalledByTheBuildStepServesWithAGilPerWorker() throws Exception {
        var hello = HttpClientSupport.get(uri("/flask/hello"));
        assertEquals(200, hello.statusCode(), hello.body());
        assertEquals("hello from flask", hello.body());
        var book = HttpClientSupport.get(uri("/flask/books/2?tag=a"));
        assertEquals(200, book.statusCode(), book.body());
        assertTrue(book.body().contains("\"title\":\"Solaris\"") && book.body().contains("\"mount\":\"/pkgs/flask\""),
                book.body());
        assertEquals(404, HttpClientSupport.get(uri("/flask/books/9")).statusCode());
    }

    private static String interpreterOf(String body) {
        var ids = INTERPRETER.matcher(body);
        assertTrue(ids.find(), body);
        return ids.group(1);
    }

}
