package dev.httpy.python;

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
 * What counting one take of the GIL adds to {@link ThreadState#attach} ({@code bash bench/jmh.sh
 * GilWaitsBenchmark}): a {@code nanoTime} before and {@link GilWaits#took} after, on two threads
 * sharing one {@link GilWaits} as a filter's workers and request threads do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class GilWaitsBenchmark {
    private final GilWaits waits = new GilWaits();

    @Benchmark
    public void aTakeCounted() {
        waits.took(System.nanoTime());
    }
}
