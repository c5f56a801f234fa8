package dev.httpy.jep;

import java.util.List;

import dev.httpy.python.PythonException;
import jep.JepException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class JepErrorsTest {
    private static final String CHAINED = """
            Traceback (most recent call last):
              File "/app/old.py", line 3, in first
                int("x")
            ValueError: invalid literal for int() with base 10: 'x'

            During handling of the above exception, another exception occurred:

            Traceback (most recent call last):
              File "<httpy>/_httpy_jep.py", line 99, in _call_in
                return work(interpreter.globals)
              File "<string>", line 4, in <module>
              File "/app/lib/shop.py", line 12, in total
                raise KeyError("sku")
            KeyError: 'sku'
            """;

    @Test
    void theFramesAreTheLastExceptionsInnermostFirstWithoutHttpysOwn() {
        assertEquals(List.of(new StackTraceElement("shop", "total", "shop.py", 12),
                        new StackTraceElement("<string>", "<module>", "<string>", 4)),
                JepErrors.pythonFrames(CHAINED));
    }

    @Test
    void aPythonErrorIsWordedAsJepWordsItWithItsFramesFirst() {
        var python = new PythonException("KeyError", "'sku'", CHAINED);
        JepException e = JepErrors.of(python);
        assertEquals("<class 'KeyError'>: 'sku'", e.getMessage());
        assertSame(python, e.getCause());
        assertEquals("total", e.getStackTrace()[0].getMethodName());
        assertEquals(getClass().getName(), e.getStackTrace()[2].getClassName(), "the Java frames follow");
    }

    @Test
    void jepsOwnRefusalsKeepJepsMessageAlone() {
        var refused = new PythonException("_httpy_jep.Refused", "Unable to find object with name: f", "");
        assertEquals("Unable to find object with name: f", JepErrors.of(refused).getMessage());
    }
}
