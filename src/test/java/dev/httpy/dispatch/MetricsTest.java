package dev.httpy.dispatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    @Test
    void everyValueFallsInABucketWhoseUpperBoundIsWithinAnEighthAboveIt() {
        for (long micros = 0; micros < 5_000_000; micros += micros < 1000 ? 1 : 997) {
            int bucket = Metrics.bucket(micros);
            long upper = Metrics.upperMicros(bucket);
            assertTrue(upper >= micros && upper <= Math.max(micros, micros + micros / 8), micros + " -> " + upper);
            assertTrue(bucket == 0 || Metrics.upperMicros(bucket - 1) < micros, micros + " belongs lower");
        }
    }

    @Test
    void countsByStatusAndPercentiles() {
        var metrics = new Metrics();
        for (int i = 0; i < 100; i++) {
            long start = metrics.started();
            metrics.finished(start - (i < 90 ? 1_000_000 : 100_000_000), i == 0 ? 500 : i == 1 ? 503 : i == 2 ? 504 : 200);
        }
        long start = metrics.started();
        metrics.finished(start, 413);
        metrics.started();
        assertEquals(102, metrics.requests());
        assertEquals(1, metrics.inFlight());
        assertEquals(1, metrics.failed());
        assertEquals(1, metrics.refused());
        assertEquals(1, metrics.timedOut());
        assertEquals(1, metrics.tooLarge());
        assertEquals(101, metrics.answered(), "the one still in flight is not answered");
        double total = metrics.latencyTotalMillis();
        assertTrue(total >= 90 * 1 + 10 * 100, "latencies added up: " + total);
        double p50 = metrics.latencyMillis(0.5);
        double p99 = metrics.latencyMillis(0.99);
        assertTrue(p50 >= 1 && p50 <= 1.2, "p50 " + p50);
        assertTrue(p99 >= 100 && p99 <= 115, "p99 " + p99);
    }
}
