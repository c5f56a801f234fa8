package dev.httpy.jep;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import dev.httpy.python.PythonException;
import jep.Interpreter;
import jep.JepConfig;
import jep.JepException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link HttpyInterpreter} promises of every method of Jep's {@link Interpreter}, on every
 * Python and every way of making one. Each subclass runs it in a JVM of its own (one libpython
 * per process).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InterpreterContract {

    /** A new interpreter, made the way the subclass tests. */
    abstract Interpreter open(JepConfig config);

    Interpreter open() {
        return open(new JepConfig());
    }

    // ---- exec, eval ----

    @Test
    void execRunsStatementsInTheInterpretersGlobals() {
        try (var python = open()) {
            python.exec("x = 6\ndef times(a, b):\n    return a * b\ny = times(x, 7)");
            assertEquals(42L, python.getValue("y"));
            python.exec(null);
            assertEquals(42L, python.getValue("y"), "exec(null) runs nothing");
            assertEquals("__main__", python.getValue("__name__"));
        }
    }

    @Test
    void evalRunsOneStatementAndSaysTrueButFalseForNothing() {
        try (var python = open()) {
            assertTrue(python.eval("z = 5"));
            assertEquals(5L, python.getValue("z"));
            assertTrue(python.eval("for i in range(3):\n    z += i\r\n"), "a compound statement, Windows line ends dropped");
            assertEquals(8L, python.getValue("z"));
            assertFalse(python.eval(null));
            assertFalse(python.eval("  \n"));
            var twoStatements = assertThrows(JepException.class, () -> python.eval("a = 1\nb = 2"));
            assertTrue(twoStatements.getMessage().startsWith("<class 'SyntaxError'>: "), twoStatements.getMessage());
        }
    }

    @Test
    void evalPrintsAnExpressionsValueAsThePromptDoes() {
        var out = new ByteArrayOutputStream();
        try (var python = open(new JepConfig().redirectStdout(out))) {
            assertTrue(python.eval("6 * 7"));
            assertTrue(python.eval("None"));
        }
        assertEquals("42\n", out.toString(StandardCharsets.UTF_8));
    }

    // ---- getValue ----

    @Test
    void getValueConvertsEachPythonTypeAsJepDoes() {
        try (var python = open()) {
            python.exec("""
                    i = 42
                    big = 2 ** 70
                    f = 2.5
                    s = 'héllo 🐍'
                    t = True
                    n = None
                    l = [1, 'two', [3.0]]
                    tu = (1, 2)
                    d = {'k': {'deep': [1]}, 2: 'int key'}
                    b = b'\\x00\\xff'
                    ba = bytearray(b'ab')
                    """);
            assertEquals(42L, python.getValue("i"));
            assertEquals(new BigInteger("1180591620717411303424"), python.getValue("big"));
            assertEquals(2.5, python.getValue("f"));
            assertEquals("héllo 🐍", python.getValue("s"));
            assertEquals(Boolean.TRUE, python.getValue("t"));
            assertNull(python.getValue("n"));
            assertEquals(List.of(1L, "two", List.of(3.0)), python.getValue("l"));
            assertInstanceOf(ArrayList.class, python.getValue("l"));
            var tuple = (List<?>) python.getValue("tu");
            assertEquals(List.of(1L, 2L), tuple);
            assertThrows(UnsupportedOperationException.class, () -> tuple.clear(), "a tuple's List is unmodifiable");
            var expected = new LinkedHashMap<Object, Object>();
            expected.put("k", Map.of("deep", List.of(1L)));
            expected.put(2L, "int key");
            assertEquals(expected, python.getValue("d"));
            assertInstanceOf(HashMap.class, python.getValue("d"));
            assertArrayEquals(new byte[] {0, (byte) 0xff}, (byte[]) python.getValue("b"));
            assertArrayEquals("ab".getBytes(StandardCharsets.US_ASCII), (byte[]) python.getValue("ba"));
        }
    }

    @Test
    void getValueEvaluatesAnExpression() {
        try (var python = open()) {
            python.set("x", 20L);
            assertEquals(21L, python.getValue("x + 1"));
            assertEquals(List.of(0L, 1L, 4L), python.getValue("[i * i for i in range(3)]"));
            assertNull(python.getValue(null));
            var missing = assertThrows(JepException.class, () -> python.getValue("nowhere"));
            assertEquals("<class 'NameError'>: name 'nowhere' is not defined", missing.getMessage());
        }
    }

    @Test
    void getValueWithAClassConvertsToIt() {
        try (var python = open()) {
            python.exec("i = 7\nhuge = 2 ** 40\nf = 1.5\nc = 'x'\nl = [1, 2, 3]\ntu = (1.5, 2.5)\nd = {'a': 1}\nn = None");
            assertEquals(7, python.getValue("i", Integer.class));
            assertEquals((short) 7, python.getValue("i", Short.class));
            assertEquals((byte) 7, python.getValue("i", Byte.class));
            assertEquals(7L, python.getValue("i", Long.class));
            assertEquals(BigInteger.valueOf(7), python.getValue("i", BigInteger.class));
            assertEquals(7L, python.getValue("i", Number.class));
            assertEquals(7, python.getValue("i", int.class), "a primitive class asks for its box");
            assertEquals(1.5f, python.getValue("f", Float.class));
            assertEquals('x', python.getValue("c", Character.class));
            assertArrayEquals(new int[] {1, 2, 3}, python.getValue("l", int[].class));
            assertArrayEquals(new Long[] {1L, 2L, 3L}, python.getValue("l", Long[].class));
            assertArrayEquals(new double[] {1.5, 2.5}, python.getValue("tu", double[].class));
            assertEquals(Map.of("a", 1L), python.getValue("d", HashMap.class));
            assertNull(python.getValue("n", Integer.class), "None is null whatever the class");
        }
    }

    @Test
    void getValueWithAClassItCannotBecomeThrows() {
        try (var python = open()) {
            python.exec("i = 7\nhuge = 2 ** 40\ns = 'seven'\ntu = (1, 2)\nl = [1, 'two']");
            assertEquals("<class 'TypeError'>: Expected java.lang.Integer but received a str.",
                    assertThrows(JepException.class, () -> python.getValue("s", Integer.class)).getMessage());
            assertEquals("<class 'TypeError'>: Expected java.lang.String but received a int.",
                    assertThrows(JepException.class, () -> python.getValue("i", String.class)).getMessage());
            assertEquals("<class 'OverflowError'>: 1099511627776 is outside the valid range of a Java int.",
                    assertThrows(JepException.class, () -> python.getValue("huge", Integer.class)).getMessage());
            assertEquals("<class 'TypeError'>: Expected java.lang.Double but received a int.",
                    assertThrows(JepException.class, () -> python.getValue("i", Double.class)).getMessage());
            assertEquals("<class 'TypeError'>: Expected java.util.ArrayList but received a tuple.",
                    assertThrows(JepException.class, () -> python.getValue("tu", ArrayList.class)).getMessage());
            assertEquals("<class 'TypeError'>: Expected java.lang.Long but received a str.",
                    assertThrows(JepException.class, () -> python.getValue("l", long[].class)).getMessage());
        }
    }

    /** Jep returns a jep.python.PyObject here, which needs its native library; httpy says so instead. */
    @Test
    void aValueWithNoJavaEquivalentIsAJepExceptionNamingItsType() {
        try (var python = open()) {
            python.exec("""
                    class Point:
                        def __str__(self):
                            return 'Point(1, 2)'
                    p = Point()
                    s = {1, 2}
                    def make():
                        return Point()
                    """);
            for (Callable<?> call : List.<Callable<?>>of(() -> python.getValue("p"), () -> python.getValue("s"),
                    () -> python.getValue("[1, p]"), () -> python.invoke("make"), () -> python.getValue("make"))) {
                var e = assertThrows(JepException.class, call::call);
                assertTrue(e.getMessage().startsWith("cannot convert a Python <class '"), e.getMessage());
                assertTrue(e.getMessage().contains("PyObject"), e.getMessage());
            }
            assertTrue(assertThrows(JepException.class, () -> python.getValue("p")).getMessage()
                    .contains("<class '__main__.Point'>"));
            assertEquals("Point(1, 2)", python.getValue("p", String.class), "as a String it is its str(), as in Jep");
            assertEquals("{1, 2}", python.getValue("s", CharSequence.class));
        }
    }

    // ---- set ----

    @Test
    void setPutsConvertedJavaValuesIntoTheGlobals() {
        try (var python = open()) {
            var values = new LinkedHashMap<String, Object>();
            values.put("a_long", 5L);
            values.put("an_int", 5);
            values.put("a_short", (short) 5);
            values.put("a_double", 0.25);
            values.put("a_float", 0.5f);
            values.put("a_bool", false);
            values.put("a_none", null);
            values.put("a_str", "ünïcode");
            values.put("some_bytes", new byte[] {1, 2});
            values.put("a_list", List.of(1L, "x"));
            values.put("an_array", new Object[] {"a", 1L});
            values.put("a_map", Map.of("k", List.of(true)));
            values.forEach(python::set);
            assertEquals(List.of("int", "int", "int", "float", "float", "bool", "NoneType", "str", "bytes", "list", "list", "dict"),
                    python.getValue("[type(v).__name__ for v in (" + String.join(", ", values.keySet()) + ")]"));
            assertEquals(5L, python.getValue("an_int"));
            assertEquals(0.5, python.getValue("a_float"));
            assertEquals("ünïcode", python.getValue("a_str"));
            assertEquals(List.of("a", 1L), python.getValue("an_array"));
            assertEquals(Map.of("k", List.of(true)), python.getValue("a_map"));
            assertEquals(3L, python.getValue("sum(some_bytes)"));
        }
    }

    @Test
    void setRefusesAJavaObjectPythonCannotHoldNamingItsType() {
        try (var python = open()) {
            var e = assertThrows(JepException.class, () -> python.set("t", new StringBuilder("x")));
            assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
            assertEquals(Boolean.FALSE, python.getValue("'t' in globals()"));
        }
    }

    // ---- invoke ----

    @Test
    void invokeCallsAGlobalWithPositionalAndKeywordArguments() {
        try (var python = open()) {
            python.exec("def f(a, b=2, *, c=3):\n    return [a, b, c]");
            assertEquals(List.of(1L, 2L, 3L), python.invoke("f", 1L));
            assertEquals(List.of(1L, 2L, 9L), python.invoke("f", Map.of("a", (Object) 1L, "c", 9L)));
            assertEquals(List.of(1L, 5L, 7L), python.invoke("f", new Object[] {1L, 5L}, Map.of("c", (Object) 7L)));
            assertEquals(List.of("x", 2L, 3L), python.invoke("f", new Object[] {"x"}, null));
            var wrong = assertThrows(JepException.class, () -> python.invoke("f", Map.of("d", (Object) 1L)));
            assertTrue(wrong.getMessage().startsWith("<class 'TypeError'>: "), wrong.getMessage());
            assertTrue(wrong.getMessage().contains("'d'"), wrong.getMessage());
        }
    }

    @Test
    void invokeFindsAnAttributeOfAGlobalByDotNotation() {
        try (var python = open()) {
            python.exec("import math, os\nclass Counter:\n    def add(self, n):\n        return n + 1\ncounter = Counter()");
            assertEquals(2L, python.invoke("counter.add", 1L));
            assertEquals(4.0, python.invoke("math.sqrt", 16.0));
            assertEquals("a/b", python.invoke("os.path.join", "a", "b"));
        }
    }

    @Test
    void invokeRefusesWhatItCannotCallWithJepsMessages() {
        try (var python = open()) {
            python.exec("v = 3\nclass K:\n    pass\nk = K()");
            assertEquals("Unable to find object with name: nope", assertThrows(JepException.class, () -> python.invoke("nope")).getMessage());
            assertEquals("Unable to find object with name: nope", assertThrows(JepException.class, () -> python.invoke("nope.f")).getMessage());
            assertEquals("pyembed:invoke Invalid callable.", assertThrows(JepException.class, () -> python.invoke("v")).getMessage());
            assertEquals("Invalid function name.", assertThrows(JepException.class, () -> python.invoke(" ")).getMessage());
            var missing = assertThrows(JepException.class, () -> python.invoke("k.nothing"));
            assertTrue(missing.getMessage().startsWith("<class 'AttributeError'>: "), missing.getMessage());
        }
    }

    // ---- errors ----

    @Test
    void aPythonErrorIsAJepExceptionWithItsTypeMessageAndFrames() {
        try (var python = open()) {
            python.exec("def check(n):\n    if n > 3:\n        raise ValueError(f'bad value {n}')\n    return n");
            var e = assertThrows(JepException.class, () -> python.invoke("check", 42L));
            assertEquals("<class 'ValueError'>: bad value 42", e.getMessage());
            var cause = assertInstanceOf(PythonException.class, e.getCause());
            assertEquals("ValueError", cause.pythonType());
            assertTrue(cause.pythonTraceback().contains("File \"<string>\", line 3, in check"), cause.pythonTraceback());
            var top = e.getStackTrace()[0];
            assertEquals("check", top.getMethodName());
            assertEquals("<string>", top.getFileName());
            assertEquals(3, top.getLineNumber());
            assertTrue(List.of(e.getStackTrace()).stream().noneMatch(f -> f.getFileName() != null && f.getFileName().contains("_httpy_jep")),
                    "httpy's own frames are left out");
            var qualified = assertThrows(JepException.class, () -> python.exec("import json\njson.loads('{')"));
            assertTrue(qualified.getMessage().startsWith("<class 'json.decoder.JSONDecodeError'>: "), qualified.getMessage());
            var syntax = assertThrows(JepException.class, () -> python.exec("def ("));
            assertTrue(syntax.getMessage().startsWith("<class 'SyntaxError'>: "), syntax.getMessage());
        }
    }

    /** Jep ends the JVM on SystemExit; here it is an error like any other. */
    @Test
    void sysExitIsAJepExceptionAndTheInterpreterKeepsWorking() {
        try (var python = open()) {
            python.set("kept", "yes");
            var e = assertThrows(JepException.class, () -> python.exec("import sys\nsys.exit(3)"));
            assertEquals("<class 'SystemExit'>: 3", e.getMessage());
            assertEquals("yes", python.getValue("kept"));
        }
    }

    // ---- runScript ----

    @Test
    void runScriptRunsAFileInTheGlobals(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("report.py");
        Files.writeString(script, """
                def total(values):
                    return sum(values)

                result = total(numbers)
                if __name__ == "__main__":
                    ran_as_main = True

                def fail():
                    raise RuntimeError("from the script")
                """);
        try (var python = open()) {
            python.set("numbers", List.of(1L, 2L, 3L));
            python.runScript(script.toString());
            assertEquals(6L, python.getValue("result"));
            assertEquals(Boolean.TRUE, python.getValue("ran_as_main"));
            var e = assertThrows(JepException.class, () -> python.invoke("fail"));
            assertEquals(new StackTraceElement("report", "fail", "report.py", 9), e.getStackTrace()[0]);
            assertEquals("Script filename cannot be null.", assertThrows(JepException.class, () -> python.runScript(null)).getMessage());
            Path missing = dir.resolve("missing.py");
            assertEquals("Invalid file: " + missing.toAbsolutePath(),
                    assertThrows(JepException.class, () -> python.runScript(missing.toString())).getMessage());
        }
    }

    // ---- interpreters, threads, close ----

    @Test
    void eachInterpreterHasGlobalsOfItsOwn() {
        try (var one = open(); var two = open()) {
            one.set("x", "one's");
            var e = assertThrows(JepException.class, () -> two.getValue("x"));
            assertEquals("<class 'NameError'>: name 'x' is not defined", e.getMessage());
            two.set("x", "two's");
            assertEquals("one's", one.getValue("x"));
        }
    }

    @Test
    void anInterpreterMayBeUsedAndClosedFromAnyThread() throws Exception {
        var python = open();
        python.exec("import threading\ncounts = []\nlock = threading.Lock()\ndef count(n):\n    with lock:\n        counts.append(n)\n    return n * 2");
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            var results = new ArrayList<CompletableFuture<Object>>();
            for (long i = 0; i < 16; i++) {
                long n = i;
                results.add(CompletableFuture.supplyAsync(() -> python.invoke("count", n), threads));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals(i * 2L, results.get(i).get());
            }
            assertEquals(16L, python.getValue("len(counts)"));
            CompletableFuture.runAsync(python::close, threads).get();
        }
        assertThrows(JepException.class, () -> python.getValue("counts"));
    }

    /**
     * Calls may run on different worker threads (another interpreter's calls keep workers busy
     * meanwhile); a ContextVar one call set is there at the next.
     */
    @Test
    void aContextVarSetInOneCallIsThereAtTheNext() throws Exception {
        try (var python = open(); var busy = open(); var threads = Executors.newFixedThreadPool(4)) {
            python.exec("import contextvars\ncv = contextvars.ContextVar('cv')");
            busy.exec("import time");
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            var load = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    busy.exec("time.sleep(0.001)");
                }
            }, threads);
            try {
                for (long i = 0; i < 100; i++) {
                    long n = i;
                    CompletableFuture.runAsync(() -> python.exec("cv.set(" + n + ")"), threads).get();
                    assertEquals(n, CompletableFuture.supplyAsync(() -> python.getValue("cv.get(None)"), threads).get());
                }
            } finally {
                stop.set(true);
                load.get();
            }
        }
    }

    @Test
    void afterCloseEveryCallThrowsAndASecondCloseDoesNothing() {
        var python = open();
        python.set("x", 1L);
        python.close();
        List<Runnable> calls = List.of(() -> python.exec("y = 1"), () -> python.eval("y = 1"), () -> python.getValue("x"),
                () -> python.getValue("x", Long.class), () -> python.set("x", 2L), () -> python.invoke("f"),
                () -> python.invoke("f", Map.of()), () -> python.invoke("f", new Object[0], Map.of()),
                () -> python.runScript("/nonexistent.py"), () -> python.eval(null));
        for (Runnable call : calls) {
            var e = assertThrows(JepException.class, call::run);
            assertEquals("This HttpyInterpreter has been closed.", e.getMessage());
        }
        python.close();
    }

    /** A Python call has no time limit, as in Jep; interrupting the thread that waits for it stops it. */
    @Test
    void interruptingTheWaitingThreadStopsTheCall(@TempDir Path dir) throws Exception {
        Path started = dir.resolve("started");
        try (var python = open()) {
            python.set("started", started.toString());
            var failure = new CompletableFuture<Throwable>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    python.exec("import time\nopen(started, 'w').close()\nwhile True:\n    time.sleep(0.01)");
                    failure.complete(null);
                } catch (Throwable e) {
                    failure.complete(e);
                }
            });
            while (!Files.exists(started)) {
                Thread.sleep(10);
            }
            caller.interrupt();
            var e = assertInstanceOf(JepException.class, failure.get());
            assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
            assertEquals(2L, python.getValue("1 + 1"), "the call ended and the worker is free again");
        }
    }

    // ---- JepConfig ----

    @Test
    void theIncludePathIsAppendedToSysPath(@TempDir Path dir) throws Exception {
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Files.writeString(second.resolve("jep_included_module.py"), "ANSWER = 42\n");
        try (var python = open(new JepConfig().addIncludePaths(first.toString(), second.toString()))) {
            python.exec("import sys, jep_included_module");
            assertEquals(42L, python.getValue("jep_included_module.ANSWER"));
            assertEquals(List.of(first.toString(), second.toString()), python.getValue("sys.path[-2:]"));
        }
    }

    @Test
    void redirectedOutputReachesTheJavaStreamsEvenBeforeAnError() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try (var python = open(new JepConfig().redirectStdout(out).redirectStdErr(err))) {
            python.exec("import sys\nprint('hello')\nprint('oops', file=sys.stderr)");
            assertEquals("hello\n", out.toString(StandardCharsets.UTF_8));
            assertEquals("oops\n", err.toString(StandardCharsets.UTF_8));
            assertThrows(JepException.class, () -> python.exec("print('before', end='')\nraise ValueError()"));
            assertEquals("hello\nbefore", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void eachInterpreterRedirectsOnlyItsOwnOutput() {
        var first = new ByteArrayOutputStream();
        var second = new ByteArrayOutputStream();
        try (var one = open(new JepConfig().redirectStdout(first)); var two = open(new JepConfig().redirectStdout(second))) {
            one.exec("print('one')");
            two.exec("print('two')");
            one.exec("print('one again')");
        }
        assertEquals("one\none again\n", first.toString(StandardCharsets.UTF_8));
        assertEquals("two\n", second.toString(StandardCharsets.UTF_8));
    }
}
