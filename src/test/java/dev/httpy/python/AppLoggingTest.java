package dev.httpy.python;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The app's own logging configuration wins, and its records reach the container's log (here
 * java.util.logging) under their logger name and level: one app calls basicConfig(level=DEBUG)
 * with a format of its own at import, the other configures nothing.
 */
class AppLoggingTest {
    private static final Path CACHE = Path.of("target", "python-cache");

    /** What reaches java.util.logging's logger {@code name}, at every level. */
    private static List<String> capture(String name, Runnable work) {
        Logger logger = Logger.getLogger(name);
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                seen.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level before = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
        try {
            work.run();
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(before);
        }
        return seen;
    }

    private static void run(Path app, String module) {
        try (var runtime = PythonRuntime.start(PythonInstallation.embedded(AppLoggingTest.class.getClassLoader(), CACHE),
                AppPaths.of(List.of(app)), PythonRuntime.Isolation.ISOLATED)) {
            runtime.withGil(py -> py.call(py.function(module + ":log_all")));
        }
    }

    private static final String LOG_ALL = """
            def log_all():
                for level in ("debug", "info", "warning", "error"):
                    getattr(logging.getLogger("%s"), level)("a %%s record", level)
            """;

    @Test
    void basicConfigAtImportSetsTheLevelAndTheFormat(@TempDir Path app) throws Exception {
        Files.writeString(app.resolve("configured.py"), """
                import logging
                logging.basicConfig(level=logging.DEBUG, format="%(levelname)s [%(name)s] %(message)s")
                """ + LOG_ALL.formatted("shop.orders"));
        var seen = capture("shop.orders", () -> run(app, "configured"));
        assertEquals(List.of("FINE DEBUG [shop.orders] a debug record", "INFO INFO [shop.orders] a info record",
                "WARNING WARNING [shop.orders] a warning record", "SEVERE ERROR [shop.orders] a error record"), seen);
    }

    @Test
    void anAppThatConfiguresNothingHasItsWarningsAndAbove(@TempDir Path app) throws Exception {
        Files.writeString(app.resolve("plain.py"), "import logging\n" + LOG_ALL.formatted("shop.stock"));
        var seen = capture("shop.stock", () -> run(app, "plain"));
        assertEquals(List.of("WARNING a warning record", "SEVERE a error record"), seen);
    }
}
