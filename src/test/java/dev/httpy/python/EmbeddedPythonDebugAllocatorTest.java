package dev.httpy.python;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole bridge contract on the embedded 3.14 again, under Python's debug allocator
 * ({@code -Dhttpy.python.malloc=debug}): freed memory is filled, so a reference released too early
 * or twice fails here at once instead of one run in five. This class has its own JVM (Surefire's
 * reuseForks=false), where nothing has started Python before the property is set.
 */
class EmbeddedPythonDebugAllocatorTest extends EmbeddedPythonBridgeTest {
    static {
        System.setProperty(CPython.MALLOC_PROPERTY, "debug");
    }

    @Test
    void pythonRunsTheDebugAllocator() throws Throwable {
        assertEquals("pymalloc_debug", call("allocator"));
    }
}
