package dev.httpy.python;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.workers.PythonTask;
import dev.httpy.workers.PythonWorkers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the bridge promises on every supported CPython: conversions both ways, errors as
 * {@link PythonException}s, {@code sys.exit()} contained, C extensions importable. Each subclass
 * runs it against one libpython, in a JVM of its own (one libpython per process).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BridgeContract {
    private PythonRuntime runtime;
    private PythonWorkers workers;
    private final Map<String, PythonObject> functions = new ConcurrentHashMap<>();

    abstract PythonInstallation installation();

    /** Sub-interpreter per app by default; subclasses may test the main interpreter too. */
    PythonRuntime.Isolation isolation() {
        return PythonRuntime.Isolation.ISOLATED;
    }

    @BeforeAll
    void startPython() throws Exception {
        Path probes = Path.of(getClass().getResource("/python/bridge_probe.py").toURI()).getParent();
        runtime = PythonRuntime.start(installation(), AppPaths.of(List.of(probes)), isolation());
        workers = PythonWorkers.start(runtime, "bridge-test", 2, 2, 16);
    }

    @AfterAll
    void stopPython() {
        if (workers != null) {
            workers.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Calls bridge_probe.NAME on a worker thread, as the filter does. */
    Object call(String name, Object... args) throws Throwable {
        try {
            return submitCall(name, args).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    /** Queues a call of bridge_probe.NAME on a worker thread and returns at once. */
    CompletableFuture<Object> submitCall(String name, Object... args) {
        return WorkerCalls.submit(workers, py -> py.call(functions.computeIfAbsent(name, n -> py.function("bridge_probe:" + n)), args));
    }

    @Test
    void textRoundTripsIncludingNonAsciiAndEmpty() throws Throwable {
        for (String text : List.of("", "hello", "héllo wörld", "日本語", "emoji 🐍", "nul\0inside")) {
            assertEquals(text, call("echo", text));
        }
    }

    @Test
    void bytesRoundTripIncludingEmptyAndAllByteValues() throws Throwable {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertArrayEquals(all, (byte[]) call("echo", (Object) all));
        assertArrayEquals(new byte[0], (byte[]) call("echo", (Object) new byte[0]));
        assertEquals("bytes", call("type_name", (Object) new byte[] {1, 2}));
    }

    @Test
    void scalarsKeepTheirPythonTypes() throws Throwable {
        assertEquals("int", call("type_name", 42L));
        assertEquals("int", call("type_name", 7));
        assertEquals("float", call("type_name", 2.5));
        assertEquals("bool", call("type_name", true));
        assertEquals("NoneType", call("type_name", (Object) null));
        assertEquals("str", call("type_name", "x"));
        assertEquals(Long.MIN_VALUE, call("echo", Long.MIN_VALUE));
        assertEquals(2.5, call("echo", 2.5));
        assertEquals(Boolean.FALSE, call("echo", false));
        assertNull(call("echo", (Object) null));
    }

    @Test
    void integersBeyondLongComeBackAsBigInteger() throws Throwable {
        Object big = call("echo", List.of(1L)); // warm the path
        assertEquals(List.of(1L), big);
        // 2**70 built in Python: Java cannot send it, only receive it.
        assertEquals(new java.math.BigInteger("1180591620717411303424"),
                runtime.withGil(py -> py.callModuleFunction("operator", "pow", 2L, 70L)));
    }

    @Test
    void mapsOfListsRoundTripWithRepeatedKeysAndOrder() throws Throwable {
        var query = new LinkedHashMap<String, List<String>>();
        query.put("tag", List.of("a", "b", "ç"));
        query.put("empty", List.of(""));
        query.put("z", List.of("1"));
        Object back = call("echo", query);
        assertEquals(query, back);
        assertEquals(List.of("tag", "empty", "z"), new ArrayList<>(((Map<?, ?>) back).keySet()));
    }

    @Test
    void nestedStructuresRoundTrip() throws Throwable {
        var nested = Map.of("list", List.of(1L, "two", List.of(3.0, false)), "map", Map.of("k", Map.of("deep", "v")));
        assertEquals(nested, call("echo", nested));
    }

    @Test
    void requestShapedArgumentsArriveWithTheDocumentedTypes() throws Throwable {
        var result = (Map<?, ?>) call("describe_request", "POST", "/files/ä b", Map.of("path", List.of("ä b")),
                Map.of("tag", List.of("x", "y")), Map.of("X-Custom", List.of("1", "2")), new byte[] {0, (byte) 0xff});
        assertEquals(List.of("str", "str", "dict", "dict", "dict", "bytes"), result.get("types"));
        assertEquals(List.of("x", "y"), result.get("tags"));
        assertEquals(2L, result.get("length"));
    }

    @Test
    void aPythonExceptionCarriesTypeMessageAndTraceback() {
        var e = assertThrows(PythonException.class, () -> call("fail", "bad value 42"));
        assertEquals("ValueError", e.pythonType());
        assertEquals("bad value 42", e.pythonMessage());
        assertTrue(e.pythonTraceback().contains("bridge_probe.py"), e.pythonTraceback());
        assertTrue(e.pythonTraceback().contains("raise ValueError(message)"), e.pythonTraceback());
    }

    @Test
    void sysExitIsAnExceptionAndTheInterpreterKeepsWorking() throws Throwable {
        var e = assertThrows(PythonException.class, () -> call("exit_now"));
        assertTrue(e.isSystemExit(), e.getMessage());
        assertEquals("3", e.pythonMessage());
        var interrupt = assertThrows(PythonException.class, () -> call("interrupt"));
        assertEquals("KeyboardInterrupt", interrupt.pythonType());
        assertEquals("still alive", call("echo", "still alive"));
    }

    @Test
    void unconvertibleValuesAreRefusedWithTheirTypeNamed() {
        var out = assertThrows(IllegalArgumentException.class, () -> call("opaque"));
        assertTrue(out.getMessage().contains("Opaque"), out.getMessage());
        var in = assertThrows(IllegalArgumentException.class, () -> call("echo", new Object()));
        assertTrue(in.getMessage().contains("java.lang.Object"), in.getMessage());
        var surrogate = assertThrows(PythonException.class, () -> call("lone_surrogate"));
        assertEquals("UnicodeEncodeError", surrogate.pythonType());
    }

    @Test
    void unknownFunctionsAreNamedInTheError() {
        var e = assertThrows(PythonException.class, () -> call("no_such_function"));
        assertEquals("AttributeError", e.pythonType());
        assertTrue(e.pythonMessage().contains("no_such_function"), e.pythonMessage());
    }

    @Test
    void cExtensionsImport() throws Throwable {
        var facts = (Map<?, ?>) call("c_extensions");
        assertEquals(Boolean.TRUE, facts.get("json_c"), "json's C accelerator did not load: " + facts);
        assertTrue(facts.get("ssl").toString().startsWith("OpenSSL"), facts.toString());
        System.out.println(getClass().getSimpleName() + ": " + facts);
    }

    @Test
    void pythonCannotBeUsedWithoutTheGil() throws Throwable {
        var leaked = new CompletableFuture<Python>();
        workers.submit(new PythonTask() {
            @Override
            public Runnable runWithGil(Python py) {
                leaked.complete(py);
                return null;
            }

            @Override
            public void abandon() {
            }
        });
        Python py = leaked.get(10, TimeUnit.SECONDS);
        var e = assertThrows(IllegalStateException.class, () -> py.function("bridge_probe:echo"));
        assertTrue(e.getMessage().contains("without the GIL"), e.getMessage());
        assertEquals(List.of(1L, 2L), call("echo", List.of(1L, 2L)));
    }

    /**
     * The workers share one GIL and take turns once tasks are long, but a handler that waits (the
     * GIL released) must not hold up the next request: another worker joins in once the first has
     * been in its task for TurnTaking.STUCK_NANOS.
     */
    @Test
    void aWaitingCallDoesNotHoldUpTheNext() throws Throwable {
        call("sleep_span", 0.01); // a long task: the workers take turns from now on
        Thread.sleep(1200); // an idle worker looks for a turn once its 1 s wait for a task ends
        var sleeping = submitCall("sleep_span", 1.0);
        Thread.sleep(50); // let it start first
        var quick = (List<?>) call("sleep_span", 0.0);
        var slow = (List<?>) sleeping.get(30, TimeUnit.SECONDS);
        assertTrue((Double) quick.get(1) < (Double) slow.get(1),
                "the quick call ended " + quick + " only after the sleeping one " + slow);
    }

    // ---- a request function's answer, checked in Java (docs/python-interface.md, "The Python interface") ----

    /** Runs {@code work} on a worker thread holding the GIL and waits for it. */
    <T> T onWorker(Function<Python, T> work) throws Throwable {
        try {
            return WorkerCalls.submit(workers, work).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    /** Calls bridge_probe.answer as the filter calls a request function; it returns ANSWERS[name]. */
    PythonResponse answer(String name) throws Throwable {
        return onWorker(py -> py.callRequestFunction(py.cachedFunction("bridge_probe:answer"),
                "GET", name, Map.of(), Map.of(), Map.of("Accept", List.of("*/*")), new byte[0]));
    }

    /** The answer ANSWERS[name] is refused with {@code message}, as a PythonException the filter answers 500 for. */
    void assertRefused(String name, String message) {
        var e = assertThrows(PythonException.class, () -> answer(name));
        assertEquals("_httpy.BadResponse", e.pythonType(), e.getMessage());
        assertEquals(message, e.pythonMessage());
    }

    @Test
    void aHeaderValueWithALoneLineFeedIsRefused() {
        assertRefused("lone-lf", "header X-Split: value 'a\\nb' contains CR, LF or NUL");
    }

    @Test
    void aHeaderValueWithALoneCarriageReturnIsRefused() {
        assertRefused("lone-cr", "header X-Split: value 'a\\rb' contains CR, LF or NUL");
    }

    @Test
    void aHeaderValueWithANulIsRefused() {
        assertRefused("nul", "header X-Split: value 'a\\x00b' contains CR, LF or NUL");
    }

    @Test
    void aHeaderValueWithCrLfInAListIsRefused() {
        assertRefused("crlf-in-list", "header X-Split: value 'a\\r\\nSet-Cookie: stolen=1' contains CR, LF or NUL");
    }

    @Test
    void headerNamesThatAreNotTokensAreRefused() {
        assertRefused("space-in-name", "header name 'Bad Name' is not an HTTP token");
        assertRefused("colon-in-name", "header name 'X-A:' is not an HTTP token");
        assertRefused("empty-name", "header name '' is not an HTTP token");
        assertRefused("int-name", "header name 1 is not an HTTP token");
    }

    @Test
    void aStatusMustBeAnExactIntFrom100To599() throws Throwable {
        assertRefused("status-true", "status True is a bool, not an int");
        assertRefused("status-str", "status '200' is a str, not an int");
        assertRefused("status-99", "status 99 is outside 100-599");
        assertRefused("status-600", "status 600 is outside 100-599");
        assertRefused("status-huge", "status 1000000000000000000000000000000 is outside 100-599");
        assertEquals(100, answer("status-100").status());
        assertEquals(599, answer("status-599").status());
    }

    @Test
    void theAnswerMustBeATupleOrListOfThree() throws Throwable {
        var made = answer("list-answer");
        assertEquals(201, made.status());
        assertEquals(List.of("X-Id", "7", "Content-Type", "text/plain; charset=utf-8"), made.headers());
        assertRefused("two-items", "request function returned a tuple ((200, '')); it must return a tuple"
                + " (status: int, body: str | bytes | None, headers: dict[str, list[str] | str])");
        assertRefused("not-a-sequence", "request function returned a str ('hello'); it must return a tuple"
                + " (status: int, body: str | bytes | None, headers: dict[str, list[str] | str])");
    }

    @Test
    void headerValuesMayBeAStrAListOrATupleAndHeadersMayBeNone() throws Throwable {
        assertEquals(List.of("X-Tag", "a", "X-Tag", "b"), answer("tuple-values").headers());
        assertEquals(List.of("X-Tag", "a", "X-Tag", "b", "X-One", "c"), answer("list-values").headers());
        var none = answer("none-headers");
        assertEquals(204, none.status());
        assertEquals(List.of(), none.headers());
        assertArrayEquals(new byte[0], none.body());
        assertRefused("headers-list", "headers are a list; they must be a dict[str, list[str] | str]");
        assertRefused("dict-value", "header X-Map: dict value; give a str or a list of str");
    }

    @Test
    void intHeaderValuesAreSentAsNumbersButBoolsAreRefused() throws Throwable {
        assertEquals(List.of("X-Count", "7", "X-Mixed", "1", "X-Mixed", "two", "X-Mixed", "-3"),
                answer("int-values").headers());
        assertRefused("bool-value", "header X-Flag: value True is not a str");
    }

    @Test
    void bytesBodiesAreSentAsTheyAreWithOctetStreamUnlessTyped() throws Throwable {
        var bytes = answer("bytes-body");
        assertArrayEquals(new byte[] {0, (byte) 0xff}, bytes.body());
        assertEquals(List.of("Content-Type", "application/octet-stream"), bytes.headers());
        assertArrayEquals("ab".getBytes(), answer("bytearray-body").body());
        assertArrayEquals("xyz".getBytes(), answer("memoryview-body").body());
        assertEquals(List.of("content-type", "image/png"), answer("bytes-body-typed").headers());
        assertRefused("dict-body", "body is a dict; it must be str, bytes or None");
    }

    @Test
    void textBodiesAreUtf8AndSayTheirCharset() throws Throwable {
        var plain = answer("text-no-type");
        assertArrayEquals("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), plain.body());
        assertEquals(List.of("Content-Type", "text/plain; charset=utf-8"), plain.headers());
        assertEquals(List.of("Content-Type", "text/html; charset=utf-8"), answer("text-html").headers());
        assertEquals(List.of("content-type", "text/html; charset=latin-1"), answer("text-charset").headers());
        assertEquals(List.of("Content-Type", "application/json"), answer("text-json").headers());
    }

    @Test
    void theContainersOwnHeadersAreDropped() throws Throwable {
        assertEquals(List.of("X-Kept", "1", "Content-Type", "application/octet-stream"),
                answer("container-headers").headers());
    }

    @Test
    void aRequestFunctionsExceptionComesBackWithItsTraceback() {
        var e = assertThrows(PythonException.class, () -> answer("raise"));
        assertEquals("ValueError", e.pythonType());
        assertEquals("handler failed", e.pythonMessage());
        assertTrue(e.pythonTraceback().contains("bridge_probe.py"), e.pythonTraceback());
        assertTrue(e.pythonTraceback().contains("raise ValueError(\"handler failed\")"), e.pythonTraceback());
    }

    @Test
    void aRequestFunctionsSysExitIsAnErrorNotAnExit() throws Throwable {
        var e = assertThrows(PythonException.class, () -> answer("exit"));
        assertTrue(e.isSystemExit(), e.getMessage());
        assertEquals("4", e.pythonMessage());
        assertEquals(200, answer("list-values").status());
    }

    @Test
    void printWithoutANewlineIsLoggedRightAfterTheCall() throws Throwable {
        List<?> state = onWorker(py -> {
            py.callRequestFunction(py.cachedFunction("bridge_probe:answer"), "GET", "print", Map.of(), Map.of(),
                    Map.of(), new byte[0]);
            return (List<?>) py.call(py.cachedFunction("bridge_probe:log_state"));
        });
        var records = (List<?>) state.get(0);
        assertTrue(records.stream().anyMatch(r -> ((List<?>) r).get(2).equals("no newline")), records.toString());
        assertEquals(0L, state.get(1));
    }

    @Test
    void mapKeysComeFromABoundedCacheOfNames() throws Throwable {
        var many = new LinkedHashMap<String, List<String>>();
        for (int i = 0; i < 1000; i++) {
            many.put("X-Name-" + i, List.of(Integer.toString(i)));
        }
        int cached = onWorker(py -> {
            var echo = py.cachedFunction("bridge_probe:echo");
            assertEquals(many, py.call(echo, many));
            assertEquals(many, py.call(echo, many));
            return py.cachedNames();
        });
        assertEquals(NameCache.CAPACITY, cached);
    }

    PythonRuntime runtime() {
        return runtime;
    }
}
