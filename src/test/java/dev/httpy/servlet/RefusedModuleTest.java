package dev.httpy.servlet;

import java.nio.file.Path;
import java.util.List;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.python.PythonException;
import dev.httpy.runtime.PythonRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The start-up error's hint names the extension module that refused a sub-interpreter, as Python's
 * {@code _httpy} reads CPython's wording (the one place it is known): from the message, or from
 * the traceback of an error it caused.
 */
class RefusedModuleTest {
    private static final String REFUSAL = "module numpy._core._multiarray_umath does not support loading in subinterpreters";
    private static PythonRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = PythonRuntime.start(PythonInstallation.embedded(RefusedModuleTest.class.getClassLoader(),
                Path.of("target", "python-cache")), AppPaths.of(List.of()), PythonRuntime.Isolation.ISOLATED);
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    private static String refused(PythonException e) {
        return runtime.withGil(py -> PythonDispatchFilter.refusedModule(py, e));
    }

    @Test
    void theRefusingModuleIsNamedFromTheMessage() {
        assertEquals("numpy._core._multiarray_umath", refused(new PythonException("ImportError", REFUSAL, "")));
    }

    @Test
    void orFromTheTracebackOfAnErrorItCaused() {
        var e = new PythonException("ImportError", "numpy failed to import", "Traceback (most recent call last):\n"
                + "ImportError: " + REFUSAL + "\n\nThe above exception was the direct cause of the following exception:\n"
                + "ImportError: numpy failed to import\n");
        assertEquals("numpy._core._multiarray_umath", refused(e));
    }

    @Test
    void anyOtherErrorNamesNoModule() {
        assertNull(refused(new PythonException("ModuleNotFoundError", "No module named 'numpy'", "")));
    }
}
