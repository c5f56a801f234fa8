package dev.httpy.servlet;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.httpy.python.PythonRuntime;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@link PythonLifecycleListener}s in one web app (web.xml declares one, {@link HttpyInitializer}
 * adds one): Python starts once, on the embedded CPython, and only the listener that started it stops it.
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
        var event = new ServletContextEvent(context(attributes, log));
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

    /** The parts of a servlet context the listener uses, over an unpacked web app in {@link #webapp}. */
    private ServletContext context(Map<String, Object> attributes, List<String> log) {
        Map<String, String> params = Map.of("python.path", "/WEB-INF/python", "python.interpreter", "isolated");
        return (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ServletContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "removeAttribute" -> attributes.remove((String) args[0]);
                    case "getInitParameterNames" -> Collections.enumeration(params.keySet());
                    case "getInitParameter" -> params.get((String) args[0]);
                    case "getRealPath" -> webapp.resolve(((String) args[0]).substring(1)).toString();
                    case "getResourcePaths" -> null;
                    case "getFilterRegistrations" -> Map.of();
                    case "getClassLoader" -> getClass().getClassLoader();
                    case "getContextPath" -> "/app";
                    case "log" -> log.add((String) args[0]);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test context";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
