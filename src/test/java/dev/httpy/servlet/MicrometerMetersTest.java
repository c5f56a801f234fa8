package dev.httpy.servlet;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A filter's figures as Micrometer meters, read from a SimpleMeterRegistry as a scraper would. */
class MicrometerMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static FakeFigures figures() {
        var figures = new FakeFigures();
        figures.requests = 120;
        figures.inFlight = 3;
        figures.queued = 2;
        figures.workersBusy = 4;
        figures.workersTotal = 6;
        figures.refused = 5;
        figures.timedOut = 1;
        figures.tooLarge = 7;
        figures.failed = 9;
        figures.answered = 117;
        figures.latencyTotalMillis = 234;
        figures.p50 = 1.5;
        figures.p90 = 4;
        figures.p99 = 12;
        figures.gilWaitMillis = 80;
        figures.gilAcquisitions = 40;
        return figures;
    }

    private double counter(String name) {
        return registry.get(name).tags("context", "/shop", "filter", "python").functionCounter().count();
    }

    private double gauge(String name) {
        return registry.get(name).tags("context", "/shop", "filter", "python").gauge().value();
    }

    @Test
    void everyFigureIsAMeterTaggedWithTheContextAndTheFilter() {
        MicrometerMeters.publish(registry, figures(), "/shop", "python", "app:go");

        assertEquals(120, counter("httpy.requests"));
        assertEquals(5, counter("httpy.refused"));
        assertEquals(1, counter("httpy.timed.out"));
        assertEquals(7, counter("httpy.too.large"));
        assertEquals(9, counter("httpy.failed"));
        assertEquals(3, gauge("httpy.in.flight"));
        assertEquals(2, gauge("httpy.queued"));
        assertEquals(4, gauge("httpy.workers.busy"));
        assertEquals(6, gauge("httpy.workers"));
        var latency = registry.get("httpy.latency").tags("context", "/shop", "filter", "python").functionTimer();
        assertEquals(117, latency.count());
        assertEquals(234, latency.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(2.0, latency.mean(TimeUnit.MILLISECONDS), 1e-9);
        var gil = registry.get("httpy.gil.wait").tags("context", "/shop", "filter", "python").functionTimer();
        assertEquals(40, gil.count());
        assertEquals(80, gil.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(0.0015, percentile("0.5"), 1e-12);
        assertEquals(0.004, percentile("0.9"), 1e-12);
        assertEquals(0.012, percentile("0.99"), 1e-12);
        assertEquals(14, registry.getMeters().size(), "one meter for each, three for the percentiles");
        assertTrue(registry.getMeters().stream().allMatch(m -> "app:go".equals(m.getId().getTag("app"))),
                registry.getMeters().toString());
    }

    private double percentile(String phi) {
        var gauge = registry.get("httpy.latency.percentile").tags("context", "/shop", "filter", "python", "phi", phi).gauge();
        assertEquals("seconds", gauge.getId().getBaseUnit());
        return gauge.value();
    }

    @Test
    void theMetersReadTheFiguresEachTimeTheyAreRead() {
        var figures = figures();
        MicrometerMeters.publish(registry, figures, "/shop", "python", "app:go");
        figures.requests = 500;
        figures.queued = 0;
        figures.gilAcquisitions = 41;
        assertEquals(500, counter("httpy.requests"));
        assertEquals(0, gauge("httpy.queued"));
        assertEquals(41, registry.get("httpy.gil.wait").functionTimer().count());
    }

    @Test
    void removingTakesAwayTheFiltersMetersAndNoOthers() {
        Runnable remove = MicrometerMeters.publish(registry, figures(), "/shop", "python", "app:go");
        MicrometerMeters.publish(registry, figures(), "/shop", "flask", "flask_app:app");
        Meter.Id kept = registry.get("httpy.requests").tags("filter", "flask").meter().getId();

        remove.run();

        assertTrue(registry.getMeters().stream().noneMatch(m -> "python".equals(m.getId().getTag("filter"))),
                registry.getMeters().toString());
        assertEquals(14, registry.getMeters().size());
        assertEquals(kept, registry.get("httpy.requests").meter().getId());
    }

    @Test
    void aNewDeploymentsMetersReplaceThoseAStoppedOneLeftBehind() {
        MicrometerMeters.publish(registry, figures(), "/shop", "python", "app:go"); // never removed
        var fresh = new FakeFigures();
        fresh.requests = 1;

        MicrometerMeters.publish(registry, fresh, "/shop", "python", "app:go");

        assertEquals(1, counter("httpy.requests"));
        assertEquals(14, registry.getMeters().size());
    }
}
