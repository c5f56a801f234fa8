package dev.httpy.servlet;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up warning for a web app whose Weld would warn on every Python request. */
class WeldAdviceTest {
    private final ClassLoader withWeld = getClass().getClassLoader(); // weld-servlet-core is a dependency

    @Test
    void weldWithItsGuardOnGetsTheFixNamed() {
        String advice = PythonLifecycleListener.weldAdvice(withWeld, Map.<String, String>of()::get);
        assertNotNull(advice);
        assertTrue(advice.contains("org.jboss.weld.context.ignore.guard=false"), advice);
        assertNotNull(PythonLifecycleListener.weldAdvice(withWeld, Map.of(PythonLifecycleListener.WELD_GUARD, "true")::get));
    }

    @Test
    void weldWithItsGuardOffIsFine() {
        assertNull(PythonLifecycleListener.weldAdvice(withWeld, Map.of(PythonLifecycleListener.WELD_GUARD, " false ")::get));
    }

    @Test
    void aWebAppWithoutWeldIsFine() {
        assertNull(PythonLifecycleListener.weldAdvice(ClassLoader.getPlatformClassLoader(), Map.<String, String>of()::get));
    }
}
