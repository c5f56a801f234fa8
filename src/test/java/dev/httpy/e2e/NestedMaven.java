package dev.httpy.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code mvn -B -q package} of a separate project ({@code src/test/projects/}), with the Maven and the
 * local repository of this build and the running JDK, as a user builds an app after {@code mvn install}
 * of httpy; {@code -Dhttpy.version} is the version this build installed.
 */
final class NestedMaven {
    static final String VERSION = System.getProperty("httpy.test.version", "0.1.0-SNAPSHOT");

    private NestedMaven() {
    }

    /**
     * @param offline only what this build has already fetched (a WAR project's plugins are httpy's
     *                own); a Spring Boot project's plugins and starters come from the registry
     * @param args    more arguments, such as a profile
     */
    static Path packageProject(Path project, boolean offline, String... args) throws IOException, InterruptedException {
        Path mavenHome = Path.of(System.getProperty("httpy.test.mavenHome", "/usr/share/maven"));
        List<String> command = new ArrayList<>(List.of(mavenHome.resolve("bin/mvn").toString(), "-B", "-q",
                "-Dhttpy.version=" + VERSION));
        if (offline) {
            command.add("-o");
        }
        if (System.getProperty("httpy.test.localRepository") instanceof String repository) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        command.addAll(List.of(args));
        command.add("package");
        Path log = project.resolve("build.log");
        var builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MAVEN_OPTS");
        Process maven = builder.start();
        if (!maven.waitFor(10, TimeUnit.MINUTES)) {
            maven.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " in " + project + " did not end in 10 minutes:\n"
                    + read(log));
        }
        assertEquals(0, maven.exitValue(), () -> String.join(" ", command) + " in " + project + " failed:\n" + read(log));
        return project;
    }

    /** A copy of a project under {@code to}, without Python's caches. */
    static Path copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.toString().contains("__pycache__")) {
                    Files.copy(file, target);
                }
            }
        }
        return to;
    }

    /**
     * Waits until {@code process} (a Boot app, or the Maven run that forked it) answers 200 at
     * {@code url}, failing with its log when it ends first or {@code limit} passes.
     */
    static void awaitUp(Process process, Path log, java.net.URI url, java.time.Duration limit) throws InterruptedException {
        var client = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            org.junit.jupiter.api.Assertions.assertTrue(process.isAlive(), () -> "the app exited:\n" + read(log));
            try {
                var answer = client.send(java.net.http.HttpRequest.newBuilder(url).timeout(java.time.Duration.ofSeconds(30))
                        .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            org.junit.jupiter.api.Assertions.assertTrue(System.nanoTime() < deadline,
                    () -> "the app did not come up in " + limit.toSeconds() + " s:\n" + read(log));
            Thread.sleep(200);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
