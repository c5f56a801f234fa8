package dev.httpy.python;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.httpy.packages.PythonInstallation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Python side's modules under their own unit tests in {@code src/test/python}, each with a
 * stand-in for the Java side: ASGI's {@code _httpy_asgi} ({@code test_httpy_asgi.py}, through its
 * pipe with the loop on its own thread, and again with the loop driven by the stand-in's trips), WSGI's {@code _httpy_wsgi} ({@code test_httpy_wsgi.py}, driven step by step as
 * {@code WsgiApplication} and {@code WsgiStream} do), and the app's API module {@code httpy}
 * ({@code test_httpy_api.py}); on the embedded 3.14 and on Debian's 3.11 (with real FastAPI where
 * installed).
 */
class GluePythonTest {
    private static final Path TESTS = Path.of("src/test/python").toAbsolutePath();

    /** Every module's tests, then the ASGI ones again against a driven loop (no loop thread). */
    private static String run(Path python) throws IOException, InterruptedException {
        run(python, false, "test_httpy_asgi", "test_httpy_wsgi", "test_httpy_api");
        return run(python, true, "test_httpy_asgi");
    }

    private static String run(Path python, boolean driven, String... modules) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<>(java.util.List.of(python.toString(), "-m", "unittest", "-v"));
        command.addAll(java.util.List.of(modules));
        var builder = new ProcessBuilder(command).directory(TESTS.toFile()).redirectErrorStream(true);
        builder.environment().put("HTTPY_ASGI_DRIVEN", driven ? "1" : "0");
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), output);
        System.out.println(python + (driven ? " (driven ASGI loop): " : ": ") + output.lines().filter(l -> l.startsWith("Ran ") || l.startsWith("OK")
                || l.startsWith("FAILED") || l.contains("skipped")).toList());
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void onTheEmbeddedPython() throws Exception {
        var embedded = PythonInstallation.embedded(getClass().getClassLoader(), Path.of("target", "python-cache"));
        assertTrue(run(embedded.executable()).contains("OK"));
    }

    @Test
    void onDebiansPythonWithFastApi() throws Exception {
        Path python = Path.of("/usr/bin/python3.11");
        if (!Files.isExecutable(python)) {
            System.out.println("SKIPPED: needs Debian's python3.11 (apt-get install python3-dev python3-fastapi)");
        }
        assumeTrue(Files.isExecutable(python), "needs Debian's python3.11");
        assertTrue(run(python).contains("OK"));
    }
}
