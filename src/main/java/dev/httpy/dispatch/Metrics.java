package dev.httpy.dispatch;

import java.util.concurrent.atomic.LongAdder;

import dev.httpy.python.GilWaits;

/**
 * What a dispatcher has served, for operators ({@code PythonFilterMXBean}): requests, those in
 * flight, httpy's refusals and failures by status, the latency from the request reaching the
 * filter to its answer ending (added up, and as percentiles from a log-linear histogram: 8 buckets
 * per power of two, so a percentile is within 12.5% of the true value), and the waits for the GIL
 * of the threads that run its requests. Lock-free; cheap enough for every request. It lives as
 * long as its filter, whatever workers serve it.
 */
public final class Metrics {
    /** Buckets: 0-7 us exactly, then 8 per power of two up to 2^40 us (12 days). */
    private static final int BUCKETS = 8 + 38 * 8;

    private final LongAdder requests = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    /** Answered requests by latency bucket; LongAdders, since a filter's answers mostly fall in one or two. */
    private final LongAdder[] latency = new LongAdder[BUCKETS];
    private final LongAdder latencyNanos = new LongAdder();
    private final GilWaits gilWaits = new GilWaits();

    public Metrics() {
        for (int i = 0; i < BUCKETS; i++) {
            latency[i] = new LongAdder();
        }
    }

    /** A request reached the filter and goes to Python; returns its start, for {@link #finished}. */
    long started() {
        requests.increment();
        return System.nanoTime();
    }

    /** The request that {@link #started} at {@code startNanos} ended with {@code status}. */
    void finished(long startNanos, int status) {
        switch (status) {
            case 500 -> failed.increment();
            case 503 -> refused.increment();
            case 504 -> timedOut.increment();
            case 413 -> tooLarge.increment();
            default -> {
            }
        }
        long nanos = Math.max(0, System.nanoTime() - startNanos);
        latencyNanos.add(nanos);
        latency[bucket(nanos / 1_000)].increment();
    }

    public long requests() {
        return requests.sum();
    }

    /** Requests started and not answered yet: no counter of its own, which every request would contend for. */
    public long inFlight() {
        long answered = answered(); // first, so that every answer it counts was started before the requests are read
        return Math.max(0, requests.sum() - answered);
    }

    public long failed() {
        return failed.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long timedOut() {
        return timedOut.sum();
    }

    public long tooLarge() {
        return tooLarge.sum();
    }

    /** Requests answered: one count of the latency histogram each. */
    public long answered() {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += latency[i].sum();
        }
        return total;
    }

    /** The latencies of the answered requests added up, in milliseconds: over {@link #answered}, their mean. */
    public double latencyTotalMillis() {
        return latencyNanos.sum() / 1e6;
    }

    /** Where the workers and the fast path add their waits for the GIL. */
    public GilWaits gilWaits() {
        return gilWaits;
    }

    /** The latency in milliseconds that {@code fraction} (0.5, 0.99) of the answered requests stayed within; 0 before any. */
    public double latencyMillis(double fraction) {
        long total = 0;
        long[] counts = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = latency[i].sum();
            total += counts[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(fraction * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upperMicros(i) / 1000.0;
            }
        }
        return upperMicros(BUCKETS - 1) / 1000.0;
    }

    static int bucket(long micros) {
        if (micros < 8) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        int index = (exponent - 2) * 8 + (int) ((micros >>> (exponent - 3)) & 7);
        return Math.min(index, BUCKETS - 1);
    }

    /** The largest value (in microseconds) that falls into {@code bucket}. */
    static long upperMicros(int bucket) {
        if (bucket < 8) {
            return bucket;
        }
        int exponent = bucket / 8 + 2;
        long sub = bucket % 8;
        return ((9 + sub) << (exponent - 3)) - 1;
    }
}
