package dev.httpy.python;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.workers.PythonWorkers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main interpreter is shared by every web app that runs in it, and Python code in one
 * interpreter can reach whatever another app's code there holds. So a web app's Java objects are
 * reachable from it only while that app has it to itself (a Spring Boot application, a WAR alone
 * in its container); once a second app joins, httpy.java raises LookupError in both, saying why,
 * and so do the proxies Python already held.
 */
class MainInterpreterJavaCallsTest {

    private static PythonRuntime startInMain() throws Exception {
        Path probes = Path.of(MainInterpreterJavaCallsTest.class.getResource("/javacalls/java_probe.py").toURI()).getParent();
        return PythonRuntime.start(PythonInstallation.embedded(MainInterpreterJavaCallsTest.class.getClassLoader(),
                Path.of("target", "python-cache")), AppPaths.of(List.of(probes)), PythonRuntime.Isolation.MAIN);
    }

    private static String call(PythonWorkers workers, String function, String name) throws Exception {
        return WorkerCalls.submit(workers, py -> py.call(py.cachedFunction("java_probe:" + function), name))
                .get(60, TimeUnit.SECONDS).toString();
    }

    @Test
    void anAppAloneInTheMainInterpreterCallsJavaUntilASecondAppJoinsIt() throws Exception {
        var objects = new JavaObjects();
        objects.expose("mine", new JavaCallsContract.Secret("the first app's"));
        try (var first = startInMain(); var workers = PythonWorkers.start(first, "java-calls-main", 1, 1, 8)) {
            first.exposeJava(objects);
            assertEquals("the first app's", call(workers, "secret_of", "mine"));
            assertEquals("the first app's", call(workers, "hold", "mine"));

            var theirs = new JavaObjects();
            theirs.expose("theirs", new JavaCallsContract.Secret("the second app's"));
            try (var second = startInMain(); var secondWorkers = PythonWorkers.start(second, "java-calls-main-2", 1, 1, 8)) {
                second.exposeJava(theirs);
                for (var answer : List.of(call(workers, "secret_of", "mine"), call(workers, "held_secret", "mine"),
                        call(secondWorkers, "secret_of", "theirs"), call(secondWorkers, "held_secret", "mine"))) {
                    assertTrue(answer.startsWith("LookupError: no Java object"), answer);
                    assertTrue(answer.contains("shares the main interpreter with another web app"), answer);
                    assertTrue(answer.contains("python.interpreter=isolated"), answer);
                }
            }
        }
        // Both stopped: a third app alone in main binds its own functions over theirs (dropping the
        // old ones reads their definitions, which must still be there), and a proxy the first app's
        // code still holds answers an error, not a jump into freed memory.
        var third = new JavaObjects();
        third.expose("third", new JavaCallsContract.Secret("the third app's"));
        for (int round = 0; round < 3; round++) {
            try (var runtime = startInMain(); var workers = PythonWorkers.start(runtime, "java-calls-main-3", 1, 1, 8)) {
                runtime.exposeJava(third);
                assertEquals("the third app's", call(workers, "secret_of", "third"));
                String stale = call(workers, "held_secret", "mine");
                assertTrue(stale.startsWith("SystemError: this Java function is no longer valid"), stale);
            }
        }
    }
}
