package dev.httpy.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * httpy in a Spring Boot 4 application ({@code src/test/projects/boot-app}: the dependency, three
 * {@code httpy.*} properties, its Python in {@code src/main/resources/python/}), built by Maven against
 * the library this build installed, run as {@code java -jar} of the fat jar in a JVM of its own, over
 * real HTTP: the Python routes and a route parameter, a Python call to a Spring bean, a Spring
 * controller beside them, Spring's own 404 for what nobody claims, Spring Security's login reaching
 * Python as {@code httpy.request().user}, and {@code httpy} UP in Actuator's health. The subclass chooses Boot's container.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SpringBootContract {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Process app;
    private Path log;
    private int port;

    /** The Maven profile that chooses the container: none for Tomcat, {@code jetty}. */
    abstract List<String> mavenArguments();

    abstract String name();

    /** The Python app serving, as httpy's meters tag it. */
    String app() {
        return "app:handle";
    }

    /** The application's own arguments: none, or a Spring profile. */
    List<String> appArguments() {
        return List.of();
    }

    @BeforeAll
    void buildAndStart() throws Exception {
        Path work = ServerProcess.SERVERS.resolve(name());
        ServerProcess.deleteTree(work);
        Path project = NestedMaven.copy(Path.of("src/test/projects/boot-app"), work.resolve("boot-app"));
        NestedMaven.packageProject(project, false, mavenArguments().toArray(String[]::new));
        Path jar = project.resolve("target/boot-app.jar");
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        log = work.resolve("app.log");
        var command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
                "-XX:ErrorFile=" + work.resolve("hs_err_pid%p.log"),
                "-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1"));
        command.addAll(appArguments());
        var builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("JAVA_TOOL") || k.startsWith("JDK_JAVA"));
        app = builder.start();
        NestedMaven.awaitUp(app, log, URI.create("http://127.0.0.1:" + port + "/actuator/health"), Duration.ofSeconds(120));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    /** GET {@code path} from the boot-app on {@code port}, as this contract and {@link SpringBootRunIT} ask it. */
    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPythonRouteWithAParameterAnswersFromTheEmbeddedPython() throws Exception {
        var hello = get(port, "/hello/boot");
        assertEquals(200, hello.statusCode(), hello.body());
        assertEquals("hello boot from python 3.14", hello.body());
    }

    @Test
    void numpyFromItsJarInTheFatJarComputes() throws Exception {
        var mean = get(port, "/mean?v=1&v=2&v=6");
        assertEquals(200, mean.statusCode(), mean.body());
        assertEquals("mean 3 from numpy 2.4.2", mean.body());
        String text = NestedMaven.read(log);
        assertTrue(text.contains("main interpreter"), text);
        assertTrue(text.matches("(?s).*loaded \\[[^\\]]*libopenblas.*"), "openblas's library was not loaded:\n" + text);
    }

    @Test
    void aPackageFromRequirementsTxtCameWithTheFatJar() throws Exception {
        var signed = get(port, "/sign/boot");
        assertEquals(200, signed.statusCode(), signed.body());
        assertTrue(signed.body().matches("boot\\.[A-Za-z0-9_-]+ from httpy-python-app-[0-9a-f]+"), signed.body());
    }

    @Test
    void pythonCallsASpringBeanThroughHttpyJava() throws Exception {
        var price = get(port, "/price/fig?n=3");
        assertEquals(200, price.statusCode(), price.body());
        assertEquals("fig x3 costs 900", price.body());
    }

    @Test
    void javaCallsPythonThroughTheInjectedPythonApplicationAndJepInterpreter() throws Exception {
        assertEquals("total 7", get(port, "/java/total").body());
        for (int i = 0; i < 3; i++) {
            assertEquals("jep 42", get(port, "/java/jep").body());
        }
    }

    @Test
    void springMvcAndItsOwn404StandBesidePython() throws Exception {
        assertEquals("hello from spring", get(port, "/java").body());
        var missing = get(port, "/nothing/here");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("\"status\":404"), "Spring Boot's error body: " + missing.body());
        assertFalse(missing.body().contains("python"), missing.body());
    }

    @Test
    void springSecuritysLoginReachesPythonAsTheUser() throws Exception {
        assertEquals(401, get(port, "/whoami").statusCode());
        var me = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/whoami"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("ada:secret".getBytes()))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, me.statusCode(), me.body());
        assertEquals("you are ada", me.body());
    }

    @Test
    void actuatorShowsHttpyUp() throws Exception {
        var health = get(port, "/actuator/health");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"httpy\":{"), health.body());
        var httpy = get(port, "/actuator/health/httpy");
        assertEquals(200, httpy.statusCode(), httpy.body());
        assertTrue(httpy.body().contains("\"status\":\"UP\""), httpy.body());
        assertTrue(httpy.body().contains("\"python\":\"3.14."), httpy.body());
        assertTrue(httpy.body().contains("\"workers\":4"), httpy.body());
    }

    @Test
    void httpysMetersAreInTheApplicationsOwnRegistryTaggedByTheApp() throws Exception {
        // The sample sets management.metrics.use-global-registry=false: only a direct publication shows them.
        assertEquals(200, get(port, "/hello/meter").statusCode());
        var requests = get(port, "/actuator/metrics/httpy.requests?tag=app:" + app());
        assertEquals(200, requests.statusCode(), requests.body());
        var count = java.util.regex.Pattern.compile("\\{\"statistic\":\"COUNT\",\"value\":([0-9.]+)\\}")
                .matcher(requests.body());
        assertTrue(count.find(), requests.body());
        assertTrue(Double.parseDouble(count.group(1)) >= 1, requests.body());
        assertEquals(200, get(port, "/actuator/metrics/httpy.workers").statusCode());
    }

    /**
     * httpy.timeout=3 with four workers and no more: four requests that sleep 6 s leave every worker
     * stuck past it from 3 s to 6 s, when Actuator says DOWN with the reason; then UP again.
     */
    @Test
    void healthIsDownWhileEveryWorkerIsStuckPastTheTimeout() throws Exception {
        var stuck = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 4; i++) {
            stuck.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?seconds=6"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        HttpResponse<String> down = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (down == null && System.nanoTime() < deadline) {
            var health = get(port, "/actuator/health/httpy");
            if (health.statusCode() == 503) {
                down = health;
            }
            Thread.sleep(100);
        }
        assertTrue(down != null, "health never turned DOWN while every worker was stuck");
        assertTrue(down.body().contains("\"status\":\"DOWN\""), down.body());
        assertTrue(down.body().contains("every one of the 4 workers of filter python has been in one request for longer"
                + " than httpy.timeout=3.0 s"), down.body());
        assertEquals(503, get(port, "/actuator/health").statusCode(), "the application's health is DOWN with httpy's");
        for (var request : stuck) {
            assertEquals(504, request.get(30, TimeUnit.SECONDS).statusCode());
        }
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (get(port, "/actuator/health/httpy").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, () -> "health stayed DOWN after the workers came back");
            Thread.sleep(100);
        }
        assertEquals(200, get(port, "/hello/again").statusCode());
    }

    @Test
    void thePythonCameOutOfTheFatJarIntoTheTemporaryDirectoryNotBesideTheJar() throws Exception {
        String text = NestedMaven.read(log);
        assertTrue(text.contains("httpy: Python 3.14"), text);
        try (var beside = Files.list(ServerProcess.SERVERS.resolve(name()).resolve("boot-app/target"))) {
            assertFalse(beside.anyMatch(f -> f.getFileName().toString().startsWith("httpy-")), "unpacked beside the jar");
        }
        try (var tmp = Files.list(ServerProcess.SERVERS.resolve(name()).resolve("tmp"))) {
            var names = tmp.map(f -> f.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("httpy-cpython-")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("httpy-python-app-")), names.toString());
            assertTrue(names.contains("httpy-nested"), names.toString());
        }
    }

    /** Last: Boot's graceful shutdown (its default) lets a Python request in flight finish, then the JVM ends. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aStopLetsAPythonRequestInFlightFinish() throws Exception {
        var slow = CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow?seconds=2"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);
        long stopping = System.nanoTime();
        app.destroy(); // SIGTERM
        var answer = slow.get(30, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("slept", answer.body());
        assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the app did not exit within 30 s of SIGTERM:\n" + NestedMaven.read(log));
        double took = (System.nanoTime() - stopping) / 1e9;
        assertTrue(took < 20, "stopping took " + took + " s");
        assertFalse(NestedMaven.read(log).contains("hs_err"), NestedMaven.read(log));
    }
}
