package dev.httpy.python;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link EmbeddedPythonDebugAllocatorTest} on the system Python (Debian's 3.11, its legacy start-up path). */
class SystemPythonDebugAllocatorTest extends SystemPythonBridgeTest {
    static {
        System.setProperty(CPython.MALLOC_PROPERTY, "debug");
    }

    @Test
    void pythonRunsTheDebugAllocator() throws Throwable {
        assertEquals("pymalloc_debug", call("allocator"));
    }
}
