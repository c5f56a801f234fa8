package dev.httpy.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.httpy.function.PythonRequest;
import dev.httpy.function.RequestFunction;
import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.python.JavaObjects;
import dev.httpy.python.Python;
import dev.httpy.python.PythonExposed;
import dev.httpy.python.PythonObject;
import dev.httpy.python.PythonResponse;
import dev.httpy.python.WorkerCalls;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.workers.PythonTask;
import dev.httpy.workers.PythonWorkers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bridge alone, without HTTP or servlets: one call from Java to Python with the six request
 * arguments converted (method and path {@code str}, params, query and headers as
 * {@code dict[str, list[str]]}, body {@code bytes}) and the answer converted back to Java.
 *
 * <p>Python runs only on a {@link PythonWorkers} thread holding the GIL, so every measurement
 * submits a {@link PythonTask} and waits for it, as the filter does:
 * <ul>
 *   <li>{@code handoff*}: one task per operation, so the time includes the queue, waking the
 *       worker, taking and releasing the GIL and waking the benchmark thread again;</li>
 *   <li>{@code bridge*}: one task runs {@value #BATCH} calls in a loop while it holds the GIL, and
 *       JMH divides by {@value #BATCH} ({@link OperationsPerInvocation}): the cost of the call
 *       itself, the hand-off amortised to nothing. Issue 4's target (at most 3 us per call) is
 *       about {@link #bridgeTrivialCall}.</li>
 * </ul>
 * {@code *Trivial*} calls {@code bench_handlers.trivial}, which only returns a constant
 * {@code (200, bytes, [name, value])}; {@link #bridgeEmptyCall} and {@link #bridgeArgumentsOnly}
 * split its cost into the bare call, the arguments and the answer; {@code *ExampleRequest} calls the example app's
 * {@code app.go_request} through {@link RequestFunction} (the answer checked in Java) exactly as a
 * {@code GET /python} does in Tomcat.
 *
 * <p>Run with {@code bash bench/jmh.sh} from the repository root; {@code mvn verify} compiles this
 * but never runs it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BridgeBenchmark {
    /** Calls per task in the {@code bridge*} benchmarks. */
    static final int BATCH = 10_000;

    private PythonRuntime runtime;
    private PythonWorkers workers;
    private PythonObject trivial;
    private PythonObject nothing;
    private PythonObject ignore;
    private PythonObject javaAdds;
    private PythonObject javaQuotes;
    private PythonObject pythonAdds;
    private RequestFunction exampleApp;
    private PythonRequest request;
    private Object[] arguments;

    /** Keeps httpy's INFO lines (Python started and stopped) out of JMH's report. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.httpy");

    @Setup(Level.Trial)
    public void startPython() throws Exception {
        QUIET.setLevel(java.util.logging.Level.WARNING);
        Path handlers = Path.of(BridgeBenchmark.class.getResource("/bench/bench_handlers.py").toURI()).getParent();
        Path exampleAppDir = Path.of("python");
        if (!Files.isRegularFile(exampleAppDir.resolve("app.py"))) {
            throw new IllegalStateException("run from the repository root (bench/jmh.sh does): python/app.py not found in "
                    + Path.of("").toAbsolutePath());
        }
        runtime = PythonRuntime.start(
                PythonInstallation.embedded(BridgeBenchmark.class.getClassLoader(), Path.of("target", "python-cache")),
                AppPaths.of(List.of(handlers, exampleAppDir)), PythonRuntime.Isolation.ISOLATED);
        var exposed = new JavaObjects();
        exposed.expose("bench", new Exposed());
        runtime.exposeJava(exposed);
        workers = PythonWorkers.start(runtime, "bench", 1, 1, 16);

        var params = new LinkedHashMap<String, List<String>>();
        params.put("id", List.of("7"));
        var query = new LinkedHashMap<String, List<String>>();
        query.put("page", List.of("2"));
        query.put("tag", List.of("a", "b"));
        var headers = new LinkedHashMap<String, List<String>>();
        headers.put("Host", List.of("127.0.0.1:18081"));
        headers.put("User-Agent", List.of("wrk"));
        headers.put("Accept", List.of("*/*"));
        headers.put("X-Request-Id", List.of("0af7651916cd43dd8448eb211c80319c"));
        byte[] body = "name=httpy&x=1".getBytes(StandardCharsets.UTF_8);
        request = new PythonRequest("GET", "/python", params, query, headers, body);
        arguments = new Object[] {request.method(), request.path(), params, query, headers, body};

        onWorker(py -> {
            trivial = py.function("bench_handlers:trivial");
            nothing = py.function("bench_handlers:nothing");
            ignore = py.function("bench_handlers:ignore");
            javaAdds = py.function("bench_handlers:java_adds");
            javaQuotes = py.function("bench_handlers:java_quotes");
            pythonAdds = py.function("bench_handlers:python_adds");
            exampleApp = new RequestFunction("app:go_request", dev.httpy.dispatch.RequestContext.Settings.DEFAULT);
            return null;
        });
        // Both answer what they should before anything is timed.
        var answer = (List<?>) handoffTrivialCall();
        check(answer.size() == 3 && Long.valueOf(200).equals(answer.get(0)), "trivial answered " + answer);
        check(Long.valueOf(BATCH).equals(pythonCallsJava()), "java_adds did not add up");
        PythonResponse response = handoffExampleRequest();
        check(response.status() == 200 && new String(response.body(), StandardCharsets.UTF_8).equals("hello from python"),
                "app.go_request answered " + response);
    }

    @TearDown(Level.Trial)
    public void stopPython() {
        if (workers != null) {
            onWorker(py -> {
                py.release(trivial);
                py.release(nothing);
                py.release(ignore);
                py.release(javaAdds);
                py.release(javaQuotes);
                py.release(pythonAdds);
                return null;
            });
            workers.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    /** A task that calls nothing: the queue, the GIL and the two thread wake-ups alone. */
    @Benchmark
    public Object handoffEmptyTask() {
        return onWorker(py -> null);
    }

    /** One trivial call per task, hand-off included. */
    @Benchmark
    public Object handoffTrivialCall() {
        return onWorker(py -> py.call(trivial, arguments));
    }

    /** One {@code GET /python} of the example app per task, hand-off included. */
    @Benchmark
    public PythonResponse handoffExampleRequest() {
        return onWorker(py -> exampleApp.call(py, request));
    }

    /** Python on this thread with nothing to do: the GIL taken and given back with the thread's kept state. */
    @Benchmark
    public Object onThisThreadEmptyCall() {
        return runtime.onThisThread(py -> null);
    }

    /** One trivial call on this thread, arguments and answer converted: {@link #handoffTrivialCall} without the hand-off. */
    @Benchmark
    public Object onThisThreadTrivialCall() {
        return runtime.onThisThread(py -> py.call(trivial, arguments));
    }

    /** The bridge alone: a trivial call with all six arguments converted in and the answer out. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long bridgeTrivialCall() {
        return onWorker(py -> {
            long sink = 0;
            for (int i = 0; i < BATCH; i++) {
                sink += ((List<?>) py.call(trivial, arguments)).size();
            }
            return sink;
        });
    }

    /** The floor under {@link #bridgeTrivialCall}: a call with no arguments answering {@code None}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long bridgeEmptyCall() {
        return onWorker(py -> {
            long sink = 0;
            for (int i = 0; i < BATCH; i++) {
                sink += py.call(nothing) == null ? 1 : 0;
            }
            return sink;
        });
    }

    /** The six arguments converted into Python, {@code None} back: {@link #bridgeTrivialCall} less the answer. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long bridgeArgumentsOnly() {
        return onWorker(py -> {
            long sink = 0;
            for (int i = 0; i < BATCH; i++) {
                sink += py.call(ignore, arguments) == null ? 1 : 0;
            }
            return sink;
        });
    }

    /** What a {@code GET /python} costs in Python: the example handler, its answer checked, converted both ways. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long bridgeExampleRequest() {
        return onWorker(py -> {
            long sink = 0;
            for (int i = 0; i < BATCH; i++) {
                sink += exampleApp.call(py, request).body().length;
            }
            return sink;
        });
    }

    /** What {@code bench_handlers.java_*} call through {@code httpy.java("bench")}. */
    public static final class Exposed {
        @PythonExposed
        public long add(long a, long b) {
            return a + b;
        }

        @PythonExposed
        public Map<String, Object> quote(String item, long quantity) {
            return Map.of("item", item, "quantity", quantity, "total_cents", 40 * quantity, "currency", "EUR");
        }
    }

    /**
     * Python calling Java (issue 14's target: at most 3 us): {@code add(total, 1)} on an exposed Java
     * object from a Python loop, two ints in and a long back, the GIL let go and taken back around
     * the Java method. Includes the Python loop's own cost ({@link #pythonCallsPython}).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object pythonCallsJava() {
        return onWorker(py -> py.call(javaAdds, (long) BATCH));
    }

    /** As {@link #pythonCallsJava}, with a str and an int in and a dict of four entries back. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object pythonCallsJavaWithDictResult() {
        return onWorker(py -> py.call(javaQuotes, (long) BATCH));
    }

    /** The same loop calling a Python function: what {@link #pythonCallsJava} costs on Python's side alone. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object pythonCallsPython() {
        return onWorker(py -> py.call(pythonAdds, (long) BATCH));
    }

    /** Runs {@code work} on the worker with the GIL and waits for its result. */
    private <T> T onWorker(Function<Python, T> work) {
        return WorkerCalls.submit(workers, work).join();
    }

    private static void check(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalStateException(problem);
        }
    }
}
