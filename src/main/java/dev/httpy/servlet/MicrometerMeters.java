package dev.httpy.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;

/**
 * A filter's figures as Micrometer meters, tagged {@code context=<context path>},
 * {@code filter=<filter name>} and {@code app=<the Python app, as python.handler, python.wsgi or python.asgi names it>}: counters for what only grows, gauges for what goes up and down,
 * and function timers (a count and a total time) for the latency and the waits for the GIL. Every
 * meter reads the filter's {@link PythonFilterMXBean} when the registry reads it, so JMX and
 * Micrometer always agree. The latency percentiles are the MBean's, since the filter started (not
 * over a sliding window as a Micrometer {@code Timer}'s are).
 *
 * <p>Loaded only when the web app can load Micrometer ({@link FilterMBean} checks), so that httpy
 * runs without it.
 */
final class MicrometerMeters {
    /** The prefix of every meter's name. */
    static final String PREFIX = "httpy.";

    private MicrometerMeters() {
    }

    /**
     * Publishes to {@code registry} when it is a {@link MeterRegistry} (one the web app gave, as
     * Spring Boot's), else to {@link Metrics#globalRegistry}, where a web app adds its own registries.
     */
    static Runnable publish(Object registry, PythonFilterMXBean figures, String context, String filter, String app) {
        return publish(registry instanceof MeterRegistry given ? given : Metrics.globalRegistry, figures, context, filter, app);
    }

    /**
     * Registers the meters in {@code registry}, replacing those a stopped deployment of the same
     * context and filter left behind; the action returned removes them.
     */
    static Runnable publish(MeterRegistry registry, PythonFilterMXBean figures, String context, String filter, String app) {
        Tags tags = Tags.of("context", context, "filter", filter, "app", app);
        removeLeftovers(registry, context, filter);
        List<Meter> meters = new ArrayList<>();
        meters.add(counter(registry, "requests", "requests sent to Python, or answered for it (400, 413)",
                figures, PythonFilterMXBean::getRequests, tags));
        meters.add(counter(registry, "refused", "requests answered 503: the queue was full",
                figures, PythonFilterMXBean::getRefused, tags));
        meters.add(counter(registry, "timed.out", "requests answered 504: python.timeout passed",
                figures, PythonFilterMXBean::getTimedOut, tags));
        meters.add(counter(registry, "too.large", "requests answered 413: the body was over python.max-body",
                figures, PythonFilterMXBean::getTooLarge, tags));
        meters.add(counter(registry, "failed", "requests answered 500, the app's own included",
                figures, PythonFilterMXBean::getFailed, tags));
        meters.add(gauge(registry, "in.flight", "requests not answered yet", figures, PythonFilterMXBean::getInFlight, tags));
        meters.add(gauge(registry, "queued", "tasks waiting for a worker", figures, PythonFilterMXBean::getQueued, tags));
        meters.add(gauge(registry, "workers.busy", "workers inside a task", figures, PythonFilterMXBean::getWorkersBusy, tags));
        meters.add(gauge(registry, "workers", "workers running", figures, PythonFilterMXBean::getWorkersTotal, tags));
        meters.add(FunctionTimer.builder(PREFIX + "latency", figures, PythonFilterMXBean::getAnswered,
                        PythonFilterMXBean::getLatencyTotalMillis, TimeUnit.MILLISECONDS)
                .description("from the request reaching the filter to its answer ending").tags(tags).register(registry));
        meters.add(percentile(registry, "0.5", figures, PythonFilterMXBean::getLatencyP50Millis, tags));
        meters.add(percentile(registry, "0.9", figures, PythonFilterMXBean::getLatencyP90Millis, tags));
        meters.add(percentile(registry, "0.99", figures, PythonFilterMXBean::getLatencyP99Millis, tags));
        meters.add(FunctionTimer.builder(PREFIX + "gil.wait", figures, PythonFilterMXBean::getGilAcquisitions,
                        PythonFilterMXBean::getGilWaitMillis, TimeUnit.MILLISECONDS)
                .description("takes of the GIL by the workers and the request threads, and the waits for it")
                .tags(tags).register(registry));
        return () -> meters.forEach(registry::remove);
    }

    private static void removeLeftovers(MeterRegistry registry, String context, String filter) {
        List<Meter> left = registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith(PREFIX) && context.equals(m.getId().getTag("context"))
                        && filter.equals(m.getId().getTag("filter")))
                .toList();
        left.forEach(registry::remove);
    }

    private static Meter counter(MeterRegistry registry, String name, String description, PythonFilterMXBean figures,
                                 ToDoubleFunction<PythonFilterMXBean> count, Tags tags) {
        return FunctionCounter.builder(PREFIX + name, figures, count).description(description).tags(tags).register(registry);
    }

    private static Meter gauge(MeterRegistry registry, String name, String description, PythonFilterMXBean figures,
                               ToDoubleFunction<PythonFilterMXBean> value, Tags tags) {
        return Gauge.builder(PREFIX + name, figures, value).description(description).tags(tags).register(registry);
    }

    /** One latency percentile, in seconds, as Micrometer names a timer's: {@code <name>.percentile} tagged {@code phi}. */
    private static Meter percentile(MeterRegistry registry, String phi, PythonFilterMXBean figures,
                                    ToDoubleFunction<PythonFilterMXBean> millis, Tags tags) {
        return Gauge.builder(PREFIX + "latency.percentile", figures, f -> millis.applyAsDouble(f) / 1000)
                .description("the latency this share of the answered requests stayed within, since the filter started")
                .baseUnit("seconds").tags(tags).tag("phi", phi).register(registry);
    }
}
