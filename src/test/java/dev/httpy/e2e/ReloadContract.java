package dev.httpy.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * python.reload and python.max-requests in a real server: the app's code lives in a directory the
 * test edits while the server runs. An edit reaches the next requests (both filters of the app, the
 * init function's routes, an imported module), a request in flight during the reload finishes on
 * the old code, an edit that does not import keeps the old code serving and logs the traceback, and
 * an app replaced every 20-25 requests answers every request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReloadContract {
    private static final Pattern REPLACED = Pattern.compile("the Python app was replaced (after .*?), in (\\d+) ms");
    private ServerProcess server;
    private Path work;
    private Path liveDir;

    /** A fresh, not yet started server. */
    abstract ServerProcess newServer();

    @BeforeAll
    void start() throws Exception {
        work = ServerProcess.SERVERS.resolve("reload-" + getClass().getSimpleName());
        ServerProcess.deleteTree(work);
        liveDir = Files.createDirectories(work.resolve("live"));
        Path recycledDir = Files.createDirectories(work.resolve("recycled"));
        writeApp(liveDir, "v1", "{}", "h1");
        writeApp(recycledDir, "r1", "{}", "h1");
        server = newServer();
        server.deploy(war(liveDir, "<context-param><param-name>python.reload</param-name><param-value>true</param-value></context-param>",
                "live"), "live");
        server.deploy(war(recycledDir, "<context-param><param-name>python.max-requests</param-name><param-value>20</param-value></context-param>"
                + "<context-param><param-name>python.max-requests-jitter</param-name><param-value>5</param-value></context-param>",
                "recycled"), "recycled");
        server.start().awaitStatus("/live/v", 200);
        server.awaitStatus("/recycled/v", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Path war(Path pythonDir, String params, String name) throws IOException {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        archive.setWebXML(new StringAsset(Files.readString(Path.of("src/test/resources/reload/web.xml"))
                .replace("PYTHON_DIR", pythonDir.toString()).replace("REPLACE_PARAMS", params)));
        return ItWar.export(archive, work.resolve(name + ".war"));
    }

    /** Writes the app's two modules, each through a temporary file and a rename, as editors and deploy tools do. */
    private static void writeApp(Path dir, String version, String extraRoute, String helperVersion) throws IOException {
        write(dir.resolve("live_app.py"), Files.readString(Path.of("src/test/resources/reload/live_app.py"))
                .replace("VERSION_HERE", version).replace("EXTRA_ROUTE", extraRoute));
        write(dir.resolve("live_helper.py"), Files.readString(Path.of("src/test/resources/reload/live_helper.py"))
                .replace("GREETING_VERSION", helperVersion));
    }

    private static void write(Path file, String text) throws IOException {
        Path staging = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(staging, text);
        Files.move(staging, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private String get(String path) throws Exception {
        var response = HttpClientSupport.get(server.uri(path));
        assertEquals(200, response.statusCode(), path + " answered " + response.statusCode() + ": " + response.body());
        return response.body();
    }

    /** Polls {@code path} until its body is {@code expected}; every answer meanwhile must be a 200. */
    private void awaitBody(String path, String expected) throws Exception {
        String last = "";
        for (int i = 0; i < 600 && !(last = get(path)).equals(expected); i++) {
            Thread.sleep(50);
        }
        assertEquals(expected, last, path + " after 30 s; the log ends:\n" + server.logTail(40));
    }

    @Test
    void anEditReachesTheNextRequestsWhileARequestInFlightFinishesOnTheOldCode() throws Exception {
        writeApp(liveDir, "v1", "{}", "h1"); // where it started, whichever test ran first
        awaitBody("/live/v", "hello from h1, app v1 /v");
        assertEquals("wsgi v1", get("/live/wsgi"));
        assertEquals(404, HttpClientSupport.get(server.uri("/live/new")).statusCode(), "no such route yet");

        Path marker = work.resolve("slow-started");
        Files.deleteIfExists(marker);
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/live/slow?marker=" + marker);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < 400 && !Files.exists(marker); i++) {
            Thread.sleep(25);
        }
        assertTrue(Files.exists(marker), "the slow request never reached Python");

        writeApp(liveDir, "v2", "{\"/new\": [\"GET\"]}", "h2");
        awaitBody("/live/v", "hello from h2, app v2 /v");
        assertEquals("wsgi v2", get("/live/wsgi"), "the app's second filter was switched with the first");
        assertEquals("hello from h2, app v2 /new", get("/live/new"), "the init function ran again");
        assertEquals("v1 slow", slow.get(), "the request in flight finished on the code it started on");
        assertTrue(Files.readAllLines(server.consoleLog()).stream().anyMatch(l -> REPLACED.matcher(l).find()
                && l.contains("live_")), server.logTail(30));
    }

    @Test
    void anEditThatFailsToImportKeepsTheOldCodeServingAndLogsTheTraceback() throws Exception {
        writeApp(liveDir, "v3", "{}", "h3");
        awaitBody("/live/v", "hello from h3, app v3 /v");
        write(liveDir.resolve("live_helper.py"), "def greeting(version:\n    return version\n");
        String log = "";
        for (int i = 0; i < 600 && !log.contains("keeps serving"); i++) {
            Thread.sleep(50);
            log = server.log();
        }
        assertTrue(log.contains("keeps serving"), server.logTail(40));
        assertTrue(log.contains("SyntaxError"), "the log has the error with its traceback:\n" + server.logTail(40));
        assertTrue(log.contains("live_helper.py"), server.logTail(40));
        for (int i = 0; i < 20; i++) {
            assertEquals("hello from h3, app v3 /v", get("/live/v"));
        }
        writeApp(liveDir, "v4", "{}", "h4");
        awaitBody("/live/v", "hello from h4, app v4 /v");
    }

    @Test
    void maxRequestsReplacesTheInterpreterWithoutFailingARequest() throws Exception {
        int clients = 4;
        int each = 100;
        Map<String, Integer> byToken = new HashMap<>();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    List<String> tokens = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        tokens.add(get("/recycled/token"));
                        Thread.sleep(20);
                    }
                    return tokens;
                }));
            }
            for (var result : results) {
                result.get().forEach(token -> byToken.merge(token, 1, Integer::sum));
            }
        }
        assertEquals(clients * each, byToken.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(byToken.size() >= 3, clients * each + " requests with a limit of 20-25 were answered by only "
                + byToken.size() + " interpreters: " + byToken + "\n" + server.logTail(30));
        List<String> limits = new ArrayList<>();
        for (String line : Files.readAllLines(server.consoleLog())) {
            Matcher replaced = REPLACED.matcher(line);
            if (replaced.find() && replaced.group(1).contains("python.max-requests")) {
                limits.add(replaced.group(1) + ": " + replaced.group(2) + " ms");
                int limit = Integer.parseInt(replaced.group(1).replaceAll("\\D+", ""));
                assertTrue(limit >= 20 && limit <= 25, "a limit outside 20 + 0-5: " + line);
            }
        }
        assertTrue(limits.size() >= 2, server.logTail(30));
        System.out.println(getClass().getSimpleName() + ": answers per interpreter " + byToken.values()
                + "; replacements " + limits);
    }
}
