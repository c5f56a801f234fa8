package dev.httpy.servlet;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

import javax.management.JMException;
import javax.management.ObjectName;

import dev.httpy.dispatch.Metrics;
import dev.httpy.workers.PythonWorkers;

/**
 * A filter's {@link PythonFilterMXBean}, registered with the platform MBean server while the filter
 * runs and, when the web app can load Micrometer, published as {@link MicrometerMeters} too. It
 * reads the workers through a supplier at every read, so a pool that replaces another is the one
 * seen; the {@link Metrics} live as long as the filter.
 */
final class FilterMBean implements PythonFilterMXBean {
    private static final System.Logger LOG = System.getLogger(FilterMBean.class.getName());
    /** Present when the web app (httpy's class loader) can load Micrometer. */
    private static final String MICROMETER = "io.micrometer.core.instrument.Metrics";

    private final Metrics metrics;
    /** The filter's workers now: a reload replaces them. */
    private final Supplier<PythonWorkers> workers;
    private final ObjectName name;
    private boolean registered;
    /** Removes the Micrometer meters; null without them. */
    private Runnable removeMeters;

    private FilterMBean(Metrics metrics, Supplier<PythonWorkers> workers, ObjectName name) {
        this.metrics = metrics;
        this.workers = workers;
        this.name = name;
    }

    /** {@code dev.httpy:type=PythonDispatchFilter,context=<path or />,name=<filter>}, quoted where JMX needs it. */
    static ObjectName nameOf(String contextPath, String filterName) {
        try {
            return new ObjectName("dev.httpy:type=PythonDispatchFilter,context=" + value(contextOf(contextPath))
                    + ",name=" + value(filterName));
        } catch (JMException e) {
            throw new IllegalArgumentException("no JMX name for filter " + filterName + " of " + contextPath, e);
        }
    }

    /** The context path as the MBean's name and the meters' tag give it: {@code /} for the root. */
    static String contextOf(String contextPath) {
        return contextPath.isEmpty() ? "/" : contextPath;
    }

    private static String value(String raw) {
        return raw.matches("[^,=:\"*?\\n]*") ? raw : ObjectName.quote(raw);
    }

    /**
     * Registers the filter's MBean, replacing one a stopped deployment of the same name left behind,
     * and its Micrometer meters where Micrometer is present, tagged with the Python {@code app}, in
     * {@code meterRegistry} when that is a {@code MeterRegistry}, else in the global one; either that
     * fails is logged, and the filter runs on.
     */
    static FilterMBean register(String contextPath, String filterName, String app, Object meterRegistry, Metrics metrics,
                                Supplier<PythonWorkers> workers) {
        var bean = new FilterMBean(metrics, workers, nameOf(contextPath, filterName));
        var server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(bean.name)) {
                server.unregisterMBean(bean.name);
            }
            server.registerMBean(bean, bean.name);
            bean.registered = true;
        } catch (JMException | SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "httpy: cannot register the MBean " + bean.name + ": " + e);
        }
        if (micrometerPresent()) {
            try {
                bean.removeMeters = MicrometerMeters.publish(meterRegistry, bean, contextOf(contextPath), filterName, app);
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "httpy: cannot publish the Micrometer meters of filter "
                        + filterName + " (needs Micrometer 1.x with FunctionCounter and FunctionTimer): " + e);
            }
        }
        return bean;
    }

    /** Whether Micrometer can be loaded; checked here so that without it {@link MicrometerMeters} is never loaded. */
    private static boolean micrometerPresent() {
        try {
            Class.forName(MICROMETER, false, FilterMBean.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Unregisters the MBean and removes the meters. */
    void unregister() {
        if (removeMeters != null) {
            removeMeters.run();
            removeMeters = null;
        }
        if (!registered) {
            return;
        }
        registered = false;
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException | SecurityException e) {
            LOG.log(System.Logger.Level.DEBUG, "httpy: the MBean " + name + " was gone already: " + e);
        }
    }

    @Override
    public long getRequests() {
        return metrics.requests();
    }

    @Override
    public long getInFlight() {
        return metrics.inFlight();
    }

    @Override
    public int getQueued() {
        return workers.get().queued();
    }

    @Override
    public int getWorkersBusy() {
        return workers.get().busy();
    }

    @Override
    public int getWorkersTotal() {
        return workers.get().size();
    }

    @Override
    public long getRefused() {
        return metrics.refused();
    }

    @Override
    public long getTimedOut() {
        return metrics.timedOut();
    }

    @Override
    public long getTooLarge() {
        return metrics.tooLarge();
    }

    @Override
    public long getFailed() {
        return metrics.failed();
    }

    @Override
    public long getAnswered() {
        return metrics.answered();
    }

    @Override
    public double getLatencyTotalMillis() {
        return metrics.latencyTotalMillis();
    }

    @Override
    public double getLatencyP50Millis() {
        return metrics.latencyMillis(0.50);
    }

    @Override
    public double getLatencyP90Millis() {
        return metrics.latencyMillis(0.90);
    }

    @Override
    public double getLatencyP99Millis() {
        return metrics.latencyMillis(0.99);
    }

    @Override
    public double getGilWaitMillis() {
        return metrics.gilWaits().millis();
    }

    @Override
    public long getGilAcquisitions() {
        return metrics.gilWaits().acquisitions();
    }
}
