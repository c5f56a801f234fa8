package dev.httpy.servlet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.httpy.runtime.PythonRuntime;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PythonLifecycleListener} as {@link HttpyInitializer} adds it, on the embedded CPython: beside
 * one web.xml declares, Python starts once and only the listener that started it stops it; alone, it
 * starts Python without the filter registrations a listener added by code may not read.
 */
class PythonLifecycleListenerTest {

    @TempDir
    Path webapp;

    @Test
    void aSecondListenerLeavesTheRunningPythonToTheFirst() throws Exception {
        // given: a web app with its Python code in WEB-INF/python, and two listeners
        Files.createDirectories(webapp.resolve("WEB-INF/python"));
        Map<String, Object> attributes = new HashMap<>();
        List<String> log = new ArrayList<>();
        var event = new ServletContextEvent(context(attributes, log, "isolated", false));
        var first = new PythonLifecycleListener();
        var second = new PythonLifecycleListener();
        try {
            // when
            first.contextInitialized(event);
            var runtime = assertInstanceOf(PythonRuntime.class, attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
            second.contextInitialized(event);
            // then: one start, and the second says why it did nothing
            assertSame(runtime, attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
            assertEquals(1, log.stream().filter(line -> line.startsWith("httpy: Python 3.")).count(), log::toString);
            assertTrue(log.stream().anyMatch(line -> line.contains("Python already runs for this web app")), log::toString);

            // when: the container stops them in reverse order
            second.contextDestroyed(event);
            // then: Python still runs
            assertSame(runtime, attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
            assertEquals(2L, (long) runtime.withGil(py -> py.call(py.function("operator:add"), 1L, 1L)));

            // when
            first.contextDestroyed(event);
            // then
            assertNull(attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
            assertThrows(IllegalStateException.class, () -> runtime.withGil(py -> null));
        } finally {
            first.contextDestroyed(event);
        }
    }

    @Test
    void aListenerTheInitializerAddedStartsPythonWithTheModulesItWasGiven() throws Exception {
        // given: a listener added by code, which Tomcat and Jetty refuse the filter registrations
        Files.createDirectories(webapp.resolve("WEB-INF/python"));
        Files.writeString(webapp.resolve("WEB-INF/python/app.py"), "def handle(*request):\n    return 200, 'hi', None\n");
        Map<String, Object> attributes = new HashMap<>();
        var event = new ServletContextEvent(context(attributes, new ArrayList<>(), "auto", true));
        var added = new PythonLifecycleListener(List.of("app:handle"));
        try {
            // when
            added.contextInitialized(event);
            // then: auto imported the module it was given, met no refusal, and chose a sub-interpreter
            var runtime = assertInstanceOf(PythonRuntime.class, attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
            assertEquals(PythonRuntime.Isolation.ISOLATED, runtime.isolation());
        } finally {
            added.contextDestroyed(event);
        }
        assertNull(attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
    }

    /** Exposed to Python in {@link #aReplacedInterpreterReachesTheSameJavaObjects}. */
    public static final class Prices {
        private final long cents;

        public Prices(long cents) {
            this.cents = cents;
        }

        @dev.httpy.python.PythonExposed
        public long price(String item) {
            return cents * item.length();
        }
    }

    @Test
    void aReplacedInterpreterReachesTheSameJavaObjects() throws Exception {
        // given: an app that calls Java, one object exposed before Python starts, reloading on
        Files.createDirectories(webapp.resolve("WEB-INF/python"));
        Files.writeString(webapp.resolve("WEB-INF/python/shop.py"),
                "import httpy\n\ndef price(name, item):\n    return httpy.java(name).price(item)\n");
        Map<String, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>();
        var context = context(attributes, new ArrayList<>(), Map.of("python.path", "/WEB-INF/python",
                "python.interpreter", "isolated", "python.reload", "true"), false);
        var event = new ServletContextEvent(context);
        PythonExposures.expose(context, "early", new Prices(10));
        var listener = new PythonLifecycleListener();
        try {
            listener.contextInitialized(event);
            var first = assertInstanceOf(PythonRuntime.class, attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
            assertEquals((Object) 30L, first.withGil(py -> py.call(py.function("shop:price"), "early", "abc")));
            // when: one more is exposed while Python runs, and the interpreter is replaced
            PythonExposures.expose(context, "late", new Prices(100));
            var replacer = assertInstanceOf(AppReplacer.class, attributes.get(AppReplacer.ATTRIBUTE));
            replacer.replaceSoon("a test");
            for (int i = 0; i < 600 && attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE) == first; i++) {
                Thread.sleep(50);
            }
            var second = assertInstanceOf(PythonRuntime.class, attributes.get(PythonLifecycleListener.RUNTIME_ATTRIBUTE));
            // then: the new interpreter finds both
            org.junit.jupiter.api.Assertions.assertNotSame(first, second, "the interpreter was not replaced");
            assertEquals((Object) 30L, second.withGil(py -> py.call(py.function("shop:price"), "early", "abc")));
            assertEquals((Object) 200L, second.withGil(py -> py.call(py.function("shop:price"), "late", "ab")));
            // and once the old interpreter has ended (its Java functions freed with it), the new one still calls Java
            for (int i = 0; i < 600 && isOpen(first); i++) {
                Thread.sleep(50);
            }
            assertFalse(isOpen(first), "the old interpreter did not end");
            assertEquals((Object) 200L, second.withGil(py -> py.call(py.function("shop:price"), "late", "ab")));
        } finally {
            listener.contextDestroyed(event);
        }
    }

    private static boolean isOpen(PythonRuntime runtime) {
        try {
            runtime.withGil(py -> null);
            return true;
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    /**
     * The parts of a servlet context the listener uses, over an unpacked web app in {@link #webapp};
     * {@code restricted}: as the containers give a listener added by code (Servlet spec 4.4).
     */
    private ServletContext context(Map<String, Object> attributes, List<String> log, String interpreter,
                                   boolean restricted) {
        return context(attributes, log, Map.of("python.path", "/WEB-INF/python", "python.interpreter", interpreter),
                restricted);
    }

    private ServletContext context(Map<String, Object> attributes, List<String> log, Map<String, String> params,
                                   boolean restricted) {
        return TestContexts.of(attributes, log, params, webapp, restricted);
    }
}
