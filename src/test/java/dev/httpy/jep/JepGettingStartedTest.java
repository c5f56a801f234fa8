package dev.httpy.jep;

import java.io.ByteArrayOutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jep.Interpreter;
import jep.JepConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Jep's "Getting Started" and "calling Python from Java" examples, written as Jep's documentation
 * writes them; only the constructor is httpy's ({@code new SharedInterpreter()} there,
 * {@code new HttpyInterpreter(...)} here). The documentation's lines that import Java classes
 * into Python ({@code from java.lang import System}) are left out: Python cannot reach Java
 * through httpy.
 */
class JepGettingStartedTest {

    @Test
    void helloWorld() {
        var out = new ByteArrayOutputStream();
        JepConfig config = new JepConfig().redirectStdout(out);
        try (Interpreter interp = new HttpyInterpreter(config)) {
            interp.exec("s = 'Hello World'");
            interp.exec("print(s)");
            interp.exec("print(s[1:-1])");
        }
        assertEquals("Hello World\nello Worl\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void setExecAndGetValueRoundTrip() {
        try (Interpreter interp = new HttpyInterpreter()) {
            interp.set("x", 5);
            interp.exec("y = x + 5");
            Object y = interp.getValue("y");
            assertEquals(10L, y);

            interp.set("names", List.of("ann", "bob"));
            interp.exec("upper = [n.upper() for n in names]");
            List<?> upper = interp.getValue("upper", List.class);
            assertEquals(List.of("ANN", "BOB"), upper);

            interp.set("prices", Map.of("tea", 2.5));
            interp.exec("prices['tea'] *= 2");
            Double tea = interp.getValue("prices['tea']", Double.class);
            assertEquals(5.0, tea);
        }
    }

    @Test
    void callingAPythonModuleFromJava() throws URISyntaxException {
        Path modules = Path.of(getClass().getResource("/jep/some_py_module.py").toURI()).getParent();
        var out = new ByteArrayOutputStream();
        Object obj = List.of(3L, 1L, 2L);
        JepConfig config = new JepConfig().addIncludePaths(modules.toString()).redirectStdout(out);
        try (Interpreter interp = new HttpyInterpreter(config)) {
            interp.exec("import some_py_module");

            // using exec(String) to invoke methods
            interp.set("arg", obj);
            interp.exec("x = some_py_module.foo1(arg)");
            Object result1 = interp.getValue("x");

            // using getValue(String) to invoke methods
            Object result2 = interp.getValue("some_py_module.foo2()");

            // using invoke to invoke methods
            interp.exec("foo3 = some_py_module.foo3");
            Object result3 = interp.invoke("foo3", obj);

            // using runScript
            interp.set("numbers", obj);
            interp.runScript(modules.resolve("some_script.py").toString());

            assertEquals(6L, result1);
            assertEquals("foo2", result2);
            assertEquals(List.of(3L, 2L, 1L), result3);
            assertEquals(List.of(30L, 10L, 20L), interp.getValue("script_result"));
        }
        assertEquals("script ran\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void invokeWithKeywordArguments() throws URISyntaxException {
        Path modules = Path.of(getClass().getResource("/jep/some_py_module.py").toURI()).getParent();
        try (Interpreter interp = new HttpyInterpreter(new JepConfig().addIncludePaths(modules.toString()))) {
            interp.exec("from some_py_module import greet");

            Map<String, Object> kwargs = new HashMap<>();
            kwargs.put("greeting", "Hi");
            kwargs.put("punctuation", "!");
            Object greeting = interp.invoke("greet", new Object[] {"Ann"}, kwargs);
            assertEquals("Hi, Ann!", greeting);

            Map<String, Object> onlyKwargs = new HashMap<>();
            onlyKwargs.put("name", "Bob");
            assertEquals("Hello, Bob.", interp.invoke("greet", onlyKwargs));
        }
    }
}
