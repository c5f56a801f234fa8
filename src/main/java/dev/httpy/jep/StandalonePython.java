package dev.httpy.jep;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;

/**
 * The Python of interpreters made outside a web app: started with the first of them, in the
 * main interpreter (so numpy and other extension modules that refuse sub-interpreters import),
 * and kept for the JVM's life, as Jep's MainInterpreter is. Each interpreter brings its own
 * globals and worker; only modules and {@code sys.path} are shared, as with Jep's
 * SharedInterpreter. One JVM holds one libpython: a second installation is refused.
 */
final class StandalonePython {
    private static final Map<PythonInstallation, PythonRuntime> RUNTIMES = new HashMap<>();

    private StandalonePython() {
    }

    static synchronized PythonRuntime runtime(PythonInstallation installation) {
        return RUNTIMES.computeIfAbsent(installation,
                python -> PythonRuntime.start(python, AppPaths.of(List.of()), PythonRuntime.Isolation.MAIN));
    }

    /** The embedded CPython 3.14, unpacked once under {@code java.io.tmpdir}, as a web app's is. */
    static PythonInstallation embedded() {
        return PythonInstallation.embedded(StandalonePython.class.getClassLoader(),
                Path.of(System.getProperty("java.io.tmpdir")));
    }
}
