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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** python.start-timeout on the embedded Python: a start step past the limit fails, naming the step and the stuck line. */
class StartTimeoutTest {
    private static PythonInstallation embedded() {
        return PythonInstallation.embedded(StartTimeoutTest.class.getClassLoader(), Path.of("target", "python-cache"));
    }

    @Test
    void aStepPastTheLimitFailsWithTheStuckThreadsPythonStackAndCloseDoesNotWaitForIt(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hangs.py"), "import threading\n\ndef forever():\n    threading.Event().wait()\n");
        var runtime = PythonRuntime.start(embedded(), AppPaths.of(List.of(dir)), PythonRuntime.Isolation.ISOLATED,
                List.of(), Duration.ofSeconds(1), false);
        long began = System.nanoTime();
        var error = assertThrows(IllegalStateException.class, () -> runtime.startStep("calling hangs:forever", began,
                py -> py.call(py.function("hangs:forever"))));
        double took = (System.nanoTime() - began) / 1e9;
        assertTrue(took < 5, "it took " + took + " s");
        assertTrue(error.getMessage().startsWith("python.start-timeout=1 s passed while calling hangs:forever"),
                error.getMessage());
        assertTrue(error.getMessage().contains("hangs.py\", line 4 in forever"), error.getMessage());
        long closing = System.nanoTime();
        runtime.close();
        assertTrue((System.nanoTime() - closing) / 1e9 < 2, "close() waited for the stuck thread");
    }

    @Test
    void aStepWithinTheLimitAnswersAndLeavesNoTimerBehind(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("quick.py"), "import time\n\ndef nap():\n    time.sleep(0.2)\n    return 7\n");
        try (var runtime = PythonRuntime.start(embedded(), AppPaths.of(List.of(dir)), PythonRuntime.Isolation.ISOLATED,
                List.of(), Duration.ofSeconds(1), false)) {
            for (int i = 0; i < 3; i++) {
                Object seven = runtime.startStep("napping", System.nanoTime(), py -> py.call(py.function("quick:nap")));
                assertEquals(7L, seven);
            }
            // A cancelled timer fires no dump later: the interpreter goes on working past the old limit.
            Thread.sleep(1500);
            Object seven = runtime.withGil(py -> py.call(py.function("quick:nap")));
            assertEquals(7L, seven);
        }
    }
}
