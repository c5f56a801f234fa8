package dev.httpy.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.python.PythonException;
import dev.httpy.python.WorkerCalls;
import dev.httpy.workers.PythonWorkers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Web apps in one JVM share CPython but not their modules: each gets a sub-interpreter that ends
 * with it, and a redeploy starts from fresh module state, C extensions included.
 */
class IsolationTest {
    private static final Path CACHE = Path.of("target", "python-cache");

    private static Path app(String name) throws Exception {
        return Path.of(IsolationTest.class.getResource("/apps/" + name + "/app.py").toURI()).getParent();
    }

    private static PythonRuntime start(String name) throws Exception {
        return PythonRuntime.start(PythonInstallation.embedded(IsolationTest.class.getClassLoader(), CACHE),
                AppPaths.of(List.of(app(name))), PythonRuntime.Isolation.ISOLATED);
    }

    /** Calls app:function on a worker of the runtime, as the filter does. */
    private static Object call(PythonWorkers workers, String function, Object... args) throws Throwable {
        var result = WorkerCalls.submit(workers, py -> {
            var fn = py.function("app:" + function);
            try {
                return py.call(fn, args);
            } finally {
                py.release(fn);
            }
        });
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    @Test
    void twoAppsWithTheSameModuleNameEachSeeTheirOwn() throws Throwable {
        try (var one = start("one"); var two = start("two");
             var oneWorkers = PythonWorkers.start(one, "one", 1, 1, 8); var twoWorkers = PythonWorkers.start(two, "two", 1, 1, 8)) {
            assertEquals("one", call(oneWorkers, "who"));
            assertEquals("two", call(twoWorkers, "who"));
            assertTrue((Boolean) call(twoWorkers, "can_import", "only_two"));
            assertFalse((Boolean) call(oneWorkers, "can_import", "only_two"), "app one sees app two's module");
            call(oneWorkers, "remember", "secret of one");
            assertEquals("nothing", call(twoWorkers, "recall"));
            assertEquals("secret of one", call(oneWorkers, "recall"));
        }
    }

    @Test
    void ownGilWorkersEachRunTheirOwnInterpreterInParallel() throws Throwable {
        try (var runtime = start("one");
             var workers = PythonWorkers.startOwnGil(runtime, "own-gil", 2, 64, py -> py.cachedFunction("app:who"))) {
            var ids = new java.util.concurrent.ConcurrentSkipListSet<Long>();
            var calls = new java.util.ArrayList<CompletableFuture<Object>>();
            for (int i = 0; i < 40; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        call(workers, "spin", 5L);
                        return call(workers, "interpreter_id");
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (var c : calls) {
                ids.add((Long) c.get(60, TimeUnit.SECONDS));
            }
            assertEquals(2, ids.size(), "interpreters used: " + ids);
            assertFalse(ids.contains(0L), "a worker ran in the main interpreter");
            assertEquals("one", call(workers, "who"));
        }
    }

    @Test
    void ownGilWorkersRefuseAnAppThatFailsToLoadAndSayWhy() throws Exception {
        try (var runtime = start("one")) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(PythonException.class, () ->
                    PythonWorkers.startOwnGil(runtime, "own-gil-bad", 2, 8, py -> py.cachedFunction("app:no_such_function")));
            assertTrue(e.getMessage().contains("no_such_function"), e.getMessage());
        }
    }

    @Test
    void redeployingStartsFromFreshStateWithCExtensions() throws Throwable {
        for (int deploy = 1; deploy <= 5; deploy++) {
            try (var runtime = start("one"); var workers = PythonWorkers.start(runtime, "deploy-" + deploy, 2, 2, 8)) {
                assertEquals("nothing", call(workers, "recall"), "module state survived a redeploy");
                call(workers, "remember", "deploy " + deploy);
                var versions = (List<?>) call(workers, "extensions");
                assertEquals("True", versions.get(3), "json's C accelerator in deploy " + deploy);
                assertTrue(versions.get(0).toString().startsWith("OpenSSL"), versions.toString());
            }
        }
    }
}
