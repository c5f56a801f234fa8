package dev.httpy.e2e;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static dev.httpy.e2e.SpringBootContract.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Boot sample run the other way Spring Boot runs an app, {@code mvn spring-boot:run}: from
 * {@code target/classes} and the jars of the local repository, not a fat jar. The Python code and
 * the installed packages are directories there, numpy's jar is a file on the class path, and the
 * listener is added by code (which may not read filter registrations): each of those once broke
 * the start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootRunIT {
    private Process maven;
    private Path log;
    private int port;

    @BeforeAll
    void run() throws Exception {
        Path work = ServerProcess.SERVERS.resolve("boot-run");
        ServerProcess.deleteTree(work);
        Path project = NestedMaven.copy(Path.of("src/test/projects/boot-app"), work.resolve("boot-app"));
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path mavenHome = Path.of(System.getProperty("httpy.test.mavenHome", "/usr/share/maven"));
        List<String> command = new ArrayList<>(List.of(mavenHome.resolve("bin/mvn").toString(), "-B", "-o",
                "-Dhttpy.version=" + NestedMaven.VERSION,
                "-Dspring-boot.run.arguments=--server.port=" + port + " --server.address=127.0.0.1",
                "-Dspring-boot.run.jvmArguments=--enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="
                        + Files.createDirectories(work.resolve("tmp"))));
        if (System.getProperty("httpy.test.localRepository") instanceof String repository) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        command.add("spring-boot:run");
        log = work.resolve("run.log");
        var builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MAVEN_OPTS");
        maven = builder.start();
        NestedMaven.awaitUp(maven, log, URI.create("http://127.0.0.1:" + port + "/actuator/health"), Duration.ofMinutes(5));
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (maven != null) {
            var processes = new ArrayList<>(maven.descendants().toList());
            maven.destroy();
            processes.forEach(ProcessHandle::destroy);
            for (ProcessHandle process : processes) {
                process.onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).join();
                process.destroyForcibly();
            }
            if (!maven.waitFor(20, TimeUnit.SECONDS)) {
                maven.destroyForcibly();
            }
        }
    }

    @Test
    void pythonRoutesABeanCallNumpyAndTheInstalledPackagesServeFromTheClassesDirectory() throws Exception {
        assertEquals("hello run from python 3.14", get(port, "/hello/run").body());
        assertEquals("fig x2 costs 600", get(port, "/price/fig?n=2").body());
        assertEquals("mean 2 from numpy 2.4.2", get(port, "/mean?v=1&v=3").body());
        var signed = get(port, "/sign/run");
        assertEquals(200, signed.statusCode(), signed.body());
        // The classes directory's own python-packages, not a copy under java.io.tmpdir.
        assertTrue(signed.body().matches("run\\.[A-Za-z0-9_-]+ from python-packages"), signed.body());
        var health = get(port, "/actuator/health/httpy");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals(404, get(port, "/nothing/here").statusCode());
        String text = NestedMaven.read(log);
        assertTrue(text.contains("boot-app/target/classes/python"), "the code is read where the build put it:\n" + text);
    }
}
