package dev.httpy.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * python.interpreter=auto on Debian's 3.11, where a sub-interpreter cannot refuse an extension
 * module: the main interpreter, unless another app holds it or the app needs interpreters of its own.
 */
class SystemPythonAutoTest {
    private static PythonInstallation system() {
        Path executable = Path.of(System.getProperty("httpy.test.systemPython", "/usr/bin/python3.11"));
        if (!Files.isExecutable(executable)) {
            System.out.println("SKIPPED SystemPythonAutoTest: " + executable + " is not installed (apt-get install python3-dev)");
        }
        assumeTrue(Files.isExecutable(executable), executable + " is not installed");
        return PythonInstallation.fromExecutable(executable);
    }

    @Test
    void autoIsTheMainInterpreterForTheFirstAppAndASubInterpreterForASecondOrAReloadingOne(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("app.py"), "def hello():\n    return 'hi'\n");
        var paths = AppPaths.of(List.of(dir));
        try (var first = PythonRuntime.start(system(), paths, PythonRuntime.Isolation.AUTO, List.of("app:hello"),
                Duration.ofSeconds(30), false)) {
            assertEquals(PythonRuntime.Isolation.MAIN, first.isolation());
            try (var second = PythonRuntime.start(system(), paths, PythonRuntime.Isolation.AUTO, List.of("app:hello"),
                    Duration.ofSeconds(30), false)) {
                assertEquals(PythonRuntime.Isolation.ISOLATED, second.isolation());
            }
        }
        try (var reloading = PythonRuntime.start(system(), paths, PythonRuntime.Isolation.AUTO, List.of("app:hello"),
                Duration.ofSeconds(30), true)) {
            assertEquals(PythonRuntime.Isolation.ISOLATED, reloading.isolation());
        }
        // The first app's end gave the main interpreter back.
        try (var again = PythonRuntime.start(system(), paths, PythonRuntime.Isolation.AUTO, List.of("app:hello"),
                Duration.ofSeconds(30), false)) {
            assertEquals(PythonRuntime.Isolation.MAIN, again.isolation());
        }
    }
}
