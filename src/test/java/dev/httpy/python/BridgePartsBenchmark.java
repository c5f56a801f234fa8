package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
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
 * The pieces of {@code dev.httpy.bench.BridgeBenchmark#bridgeTrivialCall}, measured one by one
 * through the bridge's package-private conversions (hence this package): one FFM downcall, one
 * {@code str}, the headers {@code dict}, the answer converted back, and a request function's answer
 * checked. Each runs {@value #BATCH}
 * times in one task holding the GIL; the numbers are per operation. For finding where the
 * microseconds of a call go, not a contract.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BridgePartsBenchmark {
    static final int BATCH = 10_000;
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.httpy");

    private PythonRuntime runtime;
    private PythonWorkers workers;
    private LibPython lib;
    private Map<String, List<String>> headers;
    private MemorySegment answer;
    private MemorySegment exampleAnswer;

    @Setup(Level.Trial)
    public void startPython() {
        QUIET.setLevel(java.util.logging.Level.WARNING);
        var installation = PythonInstallation.embedded(getClass().getClassLoader(), Path.of("target", "python-cache"));
        runtime = PythonRuntime.start(installation, AppPaths.of(List.of()), PythonRuntime.Isolation.ISOLATED);
        // The same library again: dlopen hands back the loaded one; only the method handles are new.
        lib = LibPython.load(installation.library());
        workers = PythonWorkers.start(runtime, "bench-parts", 1, 1, 16);
        headers = new LinkedHashMap<>();
        headers.put("Host", List.of("127.0.0.1:18081"));
        headers.put("User-Agent", List.of("wrk"));
        headers.put("Accept", List.of("*/*"));
        headers.put("X-Request-Id", List.of("0af7651916cd43dd8448eb211c80319c"));
        // What bench_handlers.trivial answers, as a list instead of a tuple: (200, bytes, [name, value]).
        onWorker(py -> {
            answer = py.toPython(List.of(200L, "hello from python".getBytes(StandardCharsets.UTF_8),
                    List.of("Content-Type", "text/plain; charset=utf-8")));
            // What the example app's go_request answers for GET /python, as a list instead of a tuple.
            exampleAnswer = py.toPython(List.of(200L, "hello from python", Map.of("Content-Type", List.of("text/plain"))));
            return 0;
        });
    }

    @TearDown(Level.Trial)
    public void stopPython() {
        onWorker(py -> {
            py.decRef(answer);
            py.decRef(exampleAnswer);
            return 0;
        });
        workers.close();
        runtime.close();
    }

    /** Two FFM downcalls that do next to nothing (None is immortal): the cost of crossing. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long downcallIncRefDecRef() {
        return onWorker(py -> {
            try {
                for (int i = 0; i < BATCH; i++) {
                    lib.Py_IncRef.invokeExact(lib.noneObject);
                    lib.Py_DecRef.invokeExact(lib.noneObject);
                }
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            return BATCH;
        });
    }

    /** A 12-character {@code str} made and dropped. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long toPythonString() {
        return onWorker(py -> {
            for (int i = 0; i < BATCH; i++) {
                py.decRef(py.toPython("X-Request-Id"));
            }
            return BATCH;
        });
    }

    /** The benchmark's four request headers as {@code dict[str, list[str]]}, made and dropped. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long toPythonHeaders() {
        return onWorker(py -> {
            for (int i = 0; i < BATCH; i++) {
                py.decRef(py.toPython(headers));
            }
            return BATCH;
        });
    }

    /** {@code [200, b"...", ["Content-Type", "..."]]} converted to Java. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long toJavaAnswer() {
        return onWorker(py -> {
            long sink = 0;
            for (int i = 0; i < BATCH; i++) {
                sink += ((List<?>) py.toJava(answer)).size();
            }
            return sink;
        });
    }

    /** {@code [200, "hello from python", {"Content-Type": ["text/plain"]}]} checked as a request function's answer. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long checkExampleAnswer() {
        return onWorker(py -> {
            long sink = 0;
            for (int i = 0; i < BATCH; i++) {
                sink += py.checkAnswer(exampleAnswer).body().length;
            }
            return sink;
        });
    }

    private long onWorker(ToLongFunction<Python> work) {
        return WorkerCalls.submit(workers, work::applyAsLong).join();
    }
}
