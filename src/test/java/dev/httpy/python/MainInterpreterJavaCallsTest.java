package dev.httpy.python;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main interpreter is shared by every web app with python.interpreter=main, so no app's Java
 * objects are reachable from it: httpy.java raises LookupError saying why, whatever is exposed.
 */
class MainInterpreterJavaCallsTest {

    @Test
    void theSharedMainInterpreterReachesNoJavaObject() throws Exception {
        Path probes = Path.of(getClass().getResource("/javacalls/java_probe.py").toURI()).getParent();
        var objects = new JavaObjects();
        objects.expose("mine", new JavaCallsContract.Secret("an app's"));
        try (var runtime = PythonRuntime.start(PythonInstallation.embedded(getClass().getClassLoader(),
                Path.of("target", "python-cache")), AppPaths.of(List.of(probes)), PythonRuntime.Isolation.MAIN);
             var workers = runtime.startWorkers("java-calls-main", 1, 1, 8)) {
            runtime.exposeJava(objects);
            var answer = WorkerCalls.submit(workers, py -> py.call(py.cachedFunction("java_probe:secret_of"), "mine"))
                    .get(60, TimeUnit.SECONDS).toString();
            assertTrue(answer.startsWith("LookupError: no Java object 'mine': this web app runs in the main interpreter"),
                    answer);
            assertTrue(answer.contains("python.interpreter=isolated"), answer);
        }
    }
}
