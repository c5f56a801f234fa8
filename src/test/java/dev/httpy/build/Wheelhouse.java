package dev.httpy.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import dev.httpy.python.TestJars;
import org.junit.jupiter.api.Assumptions;

/**
 * The offline wheelhouse the package tests install from (PyPI is not reachable here), built by
 * {@code src/test/python/wheelhouse.py} with Debian's python3, and the build step run as Maven
 * runs it: {@link InstallRequirements} in a JVM of its own, with pip's variables set.
 */
public final class Wheelhouse {
    public static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/wheelhouse.py").toAbsolutePath();
    private static final String HEADERS = "org/bytedeco/cpython/linux-x86_64/include/python3.14/";

    /** What a child process printed, and how it ended. */
    public record Run(int exit, String output) {
    }

    private Wheelhouse() {
    }

    /** Skips the calling test, saying why, where Debian's python3 (which builds the wheels) is missing. */
    public static void assumeDebianPython() {
        boolean present = Files.isExecutable(DEBIAN_PYTHON);
        if (!present) {
            System.out.println("SKIPPED: the package tests build their wheels with " + DEBIAN_PYTHON
                    + ", which is missing: apt-get install python3-flask gcc");
        }
        Assumptions.assumeTrue(present, DEBIAN_PYTHON + " is missing");
    }

    /**
     * Writes into {@code dir} the two probe wheels ({@code httpy_pure}, and {@code httpy_speedup},
     * a C extension compiled against the embedded CPython's headers) and, with {@code flask},
     * Flask 2.2's stack packed from Debian's python3-flask.
     */
    public static Path build(Path dir, boolean flask) throws IOException {
        Files.createDirectories(dir);
        Path include = headers(dir.resolveSibling(dir.getFileName() + "-include"));
        check(run(List.of(DEBIAN_PYTHON.toString(), SCRIPT.toString(), "probes", dir.toString(), "--include",
                include.toString()), Map.of()));
        if (flask) {
            check(run(List.of(DEBIAN_PYTHON.toString(), SCRIPT.toString(), "flask", dir.toString()), Map.of()));
        }
        return dir;
    }

    /** A requirements file pinning {@code names} (all wheels when none) with their sha256 hashes. */
    public static String hashPinned(Path dir, String... names) {
        List<String> command = new ArrayList<>(List.of(DEBIAN_PYTHON.toString(), SCRIPT.toString(), "hashes", dir.toString()));
        command.addAll(Arrays.asList(names));
        return check(run(command, Map.of())).output();
    }

    /** Runs the build step on {@code requirements} into {@code target}, offline from {@code wheels}. */
    public static Run install(Path requirements, Path target, Path wheels) {
        return run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), InstallRequirements.class.getName(),
                requirements.toString(), target.toString()), offline(wheels));
    }

    /** pip's variables for an install from {@code wheels} only, whatever this machine's pip configuration says. */
    public static Map<String, String> offline(Path wheels) {
        return Map.of("PIP_NO_INDEX", "1", "PIP_FIND_LINKS", wheels.toString(), "PIP_CONFIG_FILE", "/dev/null");
    }

    public static Run run(List<String> command, Map<String, String> environment) {
        try {
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("PIP_"));
            builder.environment().putAll(environment);
            Process process = builder.start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in 5 minutes:\n" + output);
            }
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Run check(Run run) {
        if (run.exit() != 0) {
            throw new AssertionError("exit " + run.exit() + ":\n" + run.output());
        }
        return run;
    }

    /** The embedded CPython's C headers, from its jar on the class path (the runtime leaves them packed). */
    private static Path headers(Path dir) throws IOException {
        Path jar = TestJars.named("cpython-3.14.3-1.5.13-linux-x86_64");
        try (var file = new JarFile(jar.toFile())) {
            for (var entries = file.entries(); entries.hasMoreElements(); ) {
                var entry = entries.nextElement();
                if (!entry.isDirectory() && entry.getName().startsWith(HEADERS)) {
                    Path target = dir.resolve(entry.getName().substring(HEADERS.length()));
                    Files.createDirectories(target.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        return dir;
    }
}
