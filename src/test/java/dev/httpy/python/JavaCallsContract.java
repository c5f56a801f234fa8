package dev.httpy.python;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.runtime.Waits;
import dev.httpy.workers.PythonWorkers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Python calling Java through {@code httpy.java(name)}, on every supported CPython: conversions
 * both ways, a Java exception as {@code httpy.JavaError}, names and methods not exposed failing
 * cleanly, the GIL released while Java runs, and one runtime never reaching another's objects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JavaCallsContract {
    private PythonRuntime runtime;
    private PythonWorkers workers;
    private final Probe probe = new Probe();

    abstract PythonInstallation installation();

    /** What the tests expose: every kind of parameter and result, an exception, a method left out. */
    public static class Probe {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @PythonExposed
        public Object echo(Object value) {
            return value;
        }

        @PythonExposed
        public long add(long a, long b) {
            return a + b;
        }

        @PythonExposed
        public double scale(double x, int factor) {
            return x * factor;
        }

        @PythonExposed
        public String join(List<?> items, String separator) {
            return String.join(separator, items.stream().map(String::valueOf).toList());
        }

        @PythonExposed
        public String greet(String name) {
            return "Hello, " + name;
        }

        @PythonExposed
        public String greet(String name, String greeting) {
            return greeting + ", " + name;
        }

        @PythonExposed
        public int size(byte[] bytes) {
            return bytes.length;
        }

        @PythonExposed
        public List<Object> keys(Map<?, ?> map) {
            return List.copyOf(map.keySet());
        }

        @PythonExposed
        public void nothing() {
        }

        @PythonExposed
        public String fail(String message) {
            throw new IllegalStateException(message);
        }

        @PythonExposed
        public long exhaust() {
            throw new OutOfMemoryError("simulated");
        }

        @PythonExposed
        public long recurse(long depth) {
            return recurse(depth + 1) + 1;
        }

        @PythonExposed
        public Object giveUnconvertible() {
            return new java.util.concurrent.atomic.AtomicLong(7);
        }

        /** Waits, with the GIL released, until the test lets it go. */
        @PythonExposed
        public boolean block() throws InterruptedException {
            entered.countDown();
            return release.await(60, TimeUnit.SECONDS);
        }

        public String secret() {
            return "not for Python";
        }
    }

    /** One secret per runtime, for the isolation test. */
    public record Secret(String value) {
        @PythonExposed
        public String secret() {
            return value;
        }
    }

    @BeforeAll
    void startPython() throws Exception {
        runtime = start(new JavaObjects());
        var objects = new JavaObjects();
        objects.expose("probe", probe);
        objects.expose("mine", new Secret("first runtime's"));
        runtime.exposeJava(objects);
        workers = PythonWorkers.start(runtime, "java-calls", 2, 2, 16);
    }

    private PythonRuntime start(JavaObjects objects) throws Exception {
        Path probes = Path.of(getClass().getResource("/javacalls/java_probe.py").toURI()).getParent();
        var started = PythonRuntime.start(installation(), AppPaths.of(List.of(probes)), PythonRuntime.Isolation.ISOLATED);
        started.exposeJava(objects);
        return started;
    }

    @AfterAll
    void stopPython() {
        probe.release.countDown();
        if (workers != null) {
            workers.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private Object call(PythonWorkers on, String function, Object... args) throws Throwable {
        try {
            return submit(on, function, args).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    private Object call(String function, Object... args) throws Throwable {
        return call(workers, function, args);
    }

    private static CompletableFuture<Object> submit(PythonWorkers on, String function, Object... args) {
        return WorkerCalls.submit(on, py -> py.call(py.cachedFunction("java_probe:" + function), args));
    }

    @Test
    void valuesGoToJavaAndComeBackWithTheirPythonTypes() throws Throwable {
        assertEquals(List.of("héllo 🐍", "str"), call("echo", "héllo 🐍"));
        assertEquals(List.of(Long.MIN_VALUE, "int"), call("echo", Long.MIN_VALUE));
        assertEquals(List.of(2.5, "float"), call("echo", 2.5));
        assertEquals(List.of(true, "bool"), call("echo", true));
        assertEquals(java.util.Arrays.asList(null, "NoneType"), call("echo", (Object) null));
        var bytes = (List<?>) call("echo", (Object) new byte[] {0, (byte) 0xff});
        assertArrayEquals(new byte[] {0, (byte) 0xff}, (byte[]) bytes.get(0));
        assertEquals("bytes", bytes.get(1));
        var nested = Map.of("list", List.of(1L, "two", List.of(3.0, false)), "map", Map.of("k", Map.of("deep", "v")));
        assertEquals(List.of(nested, "dict"), call("echo", nested));
        assertEquals(List.of(List.of(1L, 2L), "list"), call("echo", List.of(1L, 2L)));
    }

    @Test
    void parametersAndResultsConvertToTheJavaMethodsTypes() throws Throwable {
        // add(long, long), scale(double, int) with a float and with an int for the double,
        // join(List, String), greet overloaded by argument count, size(byte[]), keys(Map), a void method.
        assertEquals(java.util.Arrays.asList(42L, 6.0, 6.0, "a-b-3", "Hello, Ann", "Hi, Ann", 3L, List.of("b", "a"), null),
                call("arithmetic"));
    }

    @Test
    void aJavaExceptionIsAJavaErrorWithItsClassAndMessage() throws Throwable {
        assertEquals(List.of("JavaError", "java.lang.IllegalStateException: out of stock",
                "java.lang.IllegalStateException", "out of stock", true), call("raised", "fail", "out of stock"));
    }

    @Test
    void aJavaErrorIsAJavaErrorTooAndPythonGoesOn() throws Throwable {
        assertEquals(List.of("JavaError", "java.lang.OutOfMemoryError: simulated", "java.lang.OutOfMemoryError",
                "simulated", true), call("raised", "exhaust"));
        var overflow = (List<?>) call("raised", "recurse", 0L);
        assertEquals(List.of("JavaError", "java.lang.StackOverflowError"), overflow.subList(0, 2));
        assertEquals(42L, ((List<?>) call("arithmetic")).get(0));
    }

    @Test
    void keywordArgumentsAreATypeError() throws Throwable {
        var raised = (List<?>) call("keywords");
        assertEquals("TypeError", raised.get(0));
        assertTrue(raised.get(1).toString().contains("keyword"), raised.toString());
    }

    @Test
    void aNameNotExposedIsALookupErrorListingTheExposedOnes() throws Throwable {
        var raised = (List<?>) call("raised", "java:pricing");
        assertEquals("LookupError", raised.get(0));
        assertTrue(raised.get(1).toString().contains("\"pricing\""), raised.toString());
        assertTrue(raised.get(1).toString().contains("the exposed ones are mine, probe"), raised.toString());
    }

    @Test
    void aMethodNotExposedIsAnAttributeErrorAndNothingElseOfTheObjectShows() throws Throwable {
        var raised = (List<?>) call("raised", "secret");
        assertEquals("AttributeError", raised.get(0));
        assertTrue(raised.get(1).toString().contains("exposes no method 'secret'"), raised.toString());
        assertTrue(raised.get(1).toString().contains("add, block, echo"), raised.toString());
        var facts = (List<?>) call("proxy_facts");
        assertEquals(List.of("add", "block", "echo", "exhaust", "fail", "giveUnconvertible", "greet", "join", "keys",
                "nothing", "recurse", "scale", "size"), facts.get(0));
        assertTrue(facts.get(1).toString().startsWith("<Java object 'probe': add, "), facts.toString());
        assertEquals("PyCapsule", facts.get(2), "a method's self is an opaque capsule");
        assertEquals(List.of(false, false, true), facts.subList(3, 6), "getClass and secret are not reachable");
        assertTrue(call("set_attribute").toString().contains("read-only"));
    }

    @Test
    void argumentsJavaCannotTakeAreTypeErrorsNamingTheArgument() throws Throwable {
        var set = (List<?>) call("raised", "echo", List.of(1L)); // a list converts: control
        assertEquals(List.of("nothing"), set);
        assertEquals(List.of("TypeError", "argument 1 of add() is a str, but Java's Probe.add(long, long) takes long there"),
                call("raised", "add", "1", 2L));
        var big = (List<?>) call("raised", "scale", 1.0, 1L << 40);
        assertEquals("TypeError", big.get(0));
        assertTrue(big.get(1).toString().contains("argument 2 of scale() is 1099511627776, beyond Java's int"), big.toString());
        var count = (List<?>) call("raised", "greet");
        assertEquals(List.of("TypeError", "greet() takes 1 or 2 arguments (0 given)"), count);
        var result = (List<?>) call("raised", "giveUnconvertible");
        assertEquals("TypeError", result.get(0));
        assertTrue(result.get(1).toString().contains("java.util.concurrent.atomic.AtomicLong, which Python cannot receive"),
                result.toString());
    }

    @Test
    void aPythonValueWithNoJavaEquivalentIsATypeErrorNamingIt() throws Throwable {
        var raised = (List<?>) WorkerCalls.submit(workers, py -> py.callModuleFunction("java_probe", "raised", "echo",
                py.callForObject(py.cachedFunction("builtins:frozenset")))).get(60, TimeUnit.SECONDS);
        assertEquals(List.of("TypeError", "argument 1 of echo() is a frozenset, which cannot pass to Java; give str,"
                + " bytes, int, float, bool, None, list, tuple or dict"), raised);
    }

    @Test
    void theGilIsReleasedWhileJavaRuns() throws Throwable {
        var blocked = submit(workers, "block");
        assertTrue(probe.entered.await(60, TimeUnit.SECONDS), "block() never ran");
        // Java is inside block() now; the other worker runs Python meanwhile, which needs the GIL.
        assertEquals(4950L, call("count", 100L));
        assertFalse(blocked.isDone(), "block() returned before it was released");
        probe.release.countDown();
        assertEquals(true, blocked.get(60, TimeUnit.SECONDS));
    }

    @Test
    void aThreadThePythonAppStartedCallsJavaToo() throws Throwable {
        assertEquals(3L, call("from_python_thread"));
    }

    @Test
    void aCallerThreadCallsJavaOnItsOwnThread() throws Throwable {
        assumeTrue(runtime.runsOnCallerThreads(), "onThisThread needs Python 3.12+");
        assertEquals((Object) 1000L, runtime.onThisThread(py -> py.call(py.cachedFunction("java_probe:calls"), 1000L)));
    }

    @Test
    void workersWithAGilOfTheirOwnReachTheSameObjects() throws Throwable {
        assumeTrue(runtime.runsOnCallerThreads(), "a GIL per interpreter needs Python 3.12+");
        try (var own = PythonWorkers.startOwnGil(runtime, "java-calls-own-gil", 2, 8, py -> py.cachedFunction("java_probe:arithmetic"))) {
            assertEquals(3L, call(own, "from_python_thread"));
            assertEquals(List.of("JavaError", "java.lang.IllegalStateException: x", "java.lang.IllegalStateException", "x", true),
                    call(own, "raised", "fail", "x"));
        }
    }

    @Test
    void anotherRuntimeSeesOnlyItsOwnObjects() throws Throwable {
        var others = new JavaObjects();
        others.expose("theirs", new Secret("second runtime's"));
        try (var other = start(others); var otherWorkers = PythonWorkers.start(other, "java-calls-other", 1, 1, 8)) {
            assertEquals("second runtime's", call(otherWorkers, "secret_of", "theirs"));
            assertEquals("first runtime's", call("secret_of", "mine"));
            var lookedUp = call(otherWorkers, "secret_of", "mine").toString();
            assertTrue(lookedUp.startsWith("LookupError") && lookedUp.contains("the exposed ones are theirs"), lookedUp);
            assertTrue(call("secret_of", "theirs").toString().startsWith("LookupError"));
        }
        // The first runtime's functions still work after the other's interpreter ended and its stub was freed.
        assertEquals("first runtime's", call("secret_of", "mine"));
    }
}
