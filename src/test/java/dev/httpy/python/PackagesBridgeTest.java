package dev.httpy.python;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.JarPackages;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded Python with packages: the app's sys.path order, and numpy (which refuses
 * sub-interpreters) refused cleanly by an isolated app, then run by python.interpreter=auto in the
 * main interpreter, across a redeploy.
 */
class PackagesBridgeTest {
    private static final Path CACHE = Path.of("target", "python-cache");

    private static PythonInstallation embedded() {
        return PythonInstallation.embedded(PackagesBridgeTest.class.getClassLoader(), CACHE);
    }

    private static Path resource(String name) throws Exception {
        return Path.of(PackagesBridgeTest.class.getResource(name).toURI());
    }

    private static Object call(PythonRuntime runtime, String function, Object... args) {
        return runtime.withGil(py -> {
            var fn = py.function(function);
            try {
                return py.call(fn, args);
            } finally {
                py.release(fn);
            }
        });
    }

    @Test
    void appCodeThenInstalledPackagesWithTheirPthFilesThenJarPackagesThenTheStandardLibrary(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Path site = Files.createDirectories(dir.resolve("python-packages"));
        Path extra = Files.createDirectories(dir.resolve("extra"));
        Path jarTree = Files.createDirectories(dir.resolve("jar-tree"));
        Files.writeString(site.resolve("extra.pth"), extra + "\n");
        Files.writeString(code.resolve("where.py"), "import sys\ndef path():\n    return sys.path\n");
        try (var runtime = PythonRuntime.start(embedded(), new AppPaths(List.of(code), List.of(site), List.of(jarTree)),
                PythonRuntime.Isolation.ISOLATED)) {
            @SuppressWarnings("unchecked")
            var path = (List<String>) call(runtime, "where:path");
            assertEquals(List.of(code.toString(), site.toString(), extra.toString(), jarTree.toString()),
                    path.subList(0, 4), "sys.path is " + path);
            assertTrue(path.get(4).contains("python3"), "the standard library comes next: " + path);
        }
    }

    @Test
    void numpyIsRefusedByAnIsolatedAppWithoutHarmAndAutoRunsItInTheMainInterpreterAcrossRedeploys() throws Exception {
        var numpy = JarPackages.load(List.of(TestJars.named("numpy-2.4.2"), TestJars.named("openblas-0.3.31")), CACHE);
        var paths = new AppPaths(List.of(resource("/packages/np_app.py").getParent()), List.of(), numpy.pythonDirs());

        try (var isolated = PythonRuntime.start(embedded(), paths, PythonRuntime.Isolation.ISOLATED)) {
            var refused = assertThrows(PythonException.class, () -> call(isolated, "np_app:total", 10L));
            assertTrue(refused.getMessage().contains(
                    "module numpy._core._multiarray_umath does not support loading in subinterpreters"), refused.getMessage());
            assertEquals(PythonRuntime.Isolation.ISOLATED, isolated.isolation());
        }
        // The refusal came before numpy's own initialisation, which it allows once per process.
        for (int deployment = 1; deployment <= 2; deployment++) {
            try (var auto = PythonRuntime.start(embedded(), paths, PythonRuntime.Isolation.AUTO, List.of("np_app:total"))) {
                assertEquals(PythonRuntime.Isolation.MAIN, auto.isolation(), "deployment " + deployment);
                assertEquals(4950L, call(auto, "np_app:total", 100L));
                assertEquals(0L, call(auto, "np_app:interpreter_id"));
            }
        }
    }

    @Test
    void autoStaysIsolatedWhenNothingRefusesAndLeavesOtherImportErrorsToTheApp(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("plain.py"), "def f():\n    return 1\n");
        try (var auto = PythonRuntime.start(embedded(), AppPaths.of(List.of(dir)), PythonRuntime.Isolation.AUTO,
                List.of("plain:f", "no_such_module:f"))) {
            assertEquals(PythonRuntime.Isolation.ISOLATED, auto.isolation());
            assertEquals(1L, call(auto, "plain:f"));
        }
    }
}
