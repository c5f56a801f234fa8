package dev.httpy.dispatch;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a filter's figures cost each request ({@code bash bench/jmh.sh MetricsBenchmark}): its
 * count, in-flight count and latency, from {@link Metrics#started} to {@link Metrics#finished}, on
 * two threads sharing one {@link Metrics} as two cores serving one filter do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class MetricsBenchmark {
    private final Metrics metrics = new Metrics();

    @Benchmark
    public void aRequestCounted() {
        metrics.finished(metrics.started(), 200);
    }
}
