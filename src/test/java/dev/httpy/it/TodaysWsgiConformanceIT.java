package dev.httpy.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;

/** {@link WsgiConformanceContract} on the venv of today's Python stacks ({@link TodaysVenv}). */
class TodaysWsgiConformanceIT extends WsgiConformanceContract {
    @Deployment(testable = false)
    static WebArchive deployment() {
        // Deployed before a test can skip: without the venv, on the embedded Python, and every test skips.
        return ConformanceWars.of("wsgi", "conformance.py", TodaysVenv.ready() ? TodaysVenv.python("TodaysWsgiConformanceIT") : null);
    }

    @BeforeAll
    static void needsTheVenv() {
        TodaysVenv.python("TodaysWsgiConformanceIT");
    }
}
