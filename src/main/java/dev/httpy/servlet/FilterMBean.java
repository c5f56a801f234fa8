package dev.httpy.servlet;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

import javax.management.JMException;
import javax.management.ObjectName;

import dev.httpy.dispatch.Metrics;
import dev.httpy.python.PythonWorkers;

/** A filter's {@link PythonFilterMXBean}, registered with the platform MBean server while the filter runs. */
final class FilterMBean implements PythonFilterMXBean {
    private static final System.Logger LOG = System.getLogger(FilterMBean.class.getName());

    private final Metrics metrics;
    /** The filter's workers now: a reload replaces them. */
    private final Supplier<PythonWorkers> workers;
    private final ObjectName name;

    private FilterMBean(Metrics metrics, Supplier<PythonWorkers> workers, ObjectName name) {
        this.metrics = metrics;
        this.workers = workers;
        this.name = name;
    }

    /** {@code dev.httpy:type=PythonDispatchFilter,context=<path or />,name=<filter>}, quoted where JMX needs it. */
    static ObjectName nameOf(String contextPath, String filterName) {
        try {
            return new ObjectName("dev.httpy:type=PythonDispatchFilter,context=" + value(contextPath.isEmpty() ? "/" : contextPath)
                    + ",name=" + value(filterName));
        } catch (JMException e) {
            throw new IllegalArgumentException("no JMX name for filter " + filterName + " of " + contextPath, e);
        }
    }

    private static String value(String raw) {
        return raw.matches("[^,=:\"*?\\n]*") ? raw : ObjectName.quote(raw);
    }

    /** Registers the filter's MBean, replacing one a stopped deployment of the same name left behind; null when JMX refuses. */
    static FilterMBean register(String contextPath, String filterName, Metrics metrics, Supplier<PythonWorkers> workers) {
        var bean = new FilterMBean(metrics, workers, nameOf(contextPath, filterName));
        var server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(bean.name)) {
                server.unregisterMBean(bean.name);
            }
            server.registerMBean(bean, bean.name);
            return bean;
        } catch (JMException | SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "httpy: cannot register the MBean " + bean.name + ": " + e);
            return null;
        }
    }

    void unregister() {
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
}
