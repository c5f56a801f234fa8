package dev.httpy.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;

/** {@link AsgiConformanceContract} on the venv of today's Python stacks ({@link TodaysVenv}). */
class TodaysAsgiConformanceIT extends AsgiConformanceContract {
    @Deployment(testable = false)
    static WebArchive deployment() {
        // Deployed before a test can skip: without the venv, on the embedded Python, and every test skips.
        return ConformanceWars.of("asgi", "asgi_conformance.py", TodaysVenv.ready() ? TodaysVenv.python("TodaysAsgiConformanceIT") : null);
    }

    /** The venv's Python is 3.11 here: no GIL per worker (the check below skips, saying so, on an older one). */
    @Override
    boolean gilPerWorker() {
        return !TodaysVenv.ready() || TodaysVenv.version().compareTo("3.12") >= 0;
    }

    @BeforeAll
    static void needsTheVenv() {
        TodaysVenv.python("TodaysAsgiConformanceIT");
    }
}
