package dev.httpy.jep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.workers.PythonWorkers;
import jep.Interpreter;
import jep.JepConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The interpreter contract inside a web app's Python: a runtime in a sub-interpreter of its own
 * (as PythonLifecycleListener starts one), with interpreters on shared workers, as the CDI
 * producer makes them.
 */
class WebAppInterpreterTest extends InterpreterContract {
    private PythonRuntime runtime;
    private PythonWorkers workers;

    @BeforeAll
    void startPython() throws Exception {
        Path appCode = Path.of(getClass().getResource("/python/bridge_probe.py").toURI()).getParent();
        runtime = PythonRuntime.start(PythonInstallation.embedded(getClass().getClassLoader(), Path.of("target", "python-cache")),
                AppPaths.of(List.of(appCode)), PythonRuntime.Isolation.ISOLATED);
        workers = PythonWorkers.start(runtime, "jep-test", 2, 4, 100);
    }

    @AfterAll
    void stopPython() {
        if (workers != null) {
            workers.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    @Override
    Interpreter open(JepConfig config) {
        return new HttpyInterpreter(config, workers);
    }

    @Test
    void itSeesTheWebAppsModules() {
        try (var python = open()) {
            python.exec("import bridge_probe");
            assertEquals("echoed", python.invoke("bridge_probe.echo", "echoed"));
        }
    }

    @Test
    void closingAnInterpreterDropsItsGlobalsOnThePythonSide() {
        try (var observer = new HttpyInterpreter(new JepConfig(), runtime)) {
            observer.exec("import _httpy_jep\nbefore = set(_httpy_jep._interpreters)");
            var opened = new ArrayList<Interpreter>();
            for (int i = 0; i < 3; i++) {
                opened.add(new HttpyInterpreter(new JepConfig(), runtime));
            }
            observer.exec("mine = set(_httpy_jep._interpreters) - before");
            assertEquals(3L, observer.getValue("len(mine)"));
            opened.forEach(Interpreter::close);
            assertEquals(0L, observer.getValue("len(mine & set(_httpy_jep._interpreters))"));
        }
    }

    @Test
    void closingInterpretersLeavesTheSharedWorkersAndTheRuntimeRunning() {
        for (int i = 0; i < 3; i++) {
            open().close();
            var own = new HttpyInterpreter(new JepConfig(), runtime);
            own.set("i", (long) i);
            assertEquals((long) i, own.getValue("i"));
            own.close();
        }
        try (var python = open()) {
            assertEquals(4L, python.getValue("2 + 2"));
        }
        assertEquals(4L, (long) runtime.withGil(py -> 4L));
    }
}
