package dev.httpy.servlet;

import java.lang.management.ManagementFactory;

import dev.httpy.dispatch.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A filter's figures published while it runs: the MBean, and, with Micrometer on the class path
 * (as in these tests), the meters in Micrometer's global registry, where a web app adds its own
 * registry; both gone once the filter stops.
 */
class FilterMBeanTest {
    private final SimpleMeterRegistry appsRegistry = new SimpleMeterRegistry();

    @AfterEach
    void removeRegistry() {
        io.micrometer.core.instrument.Metrics.globalRegistry.remove(appsRegistry);
    }

    @Test
    void theFiltersFiguresAreAnMBeanAndMetersInTheGlobalRegistryUntilItStops() throws Exception {
        io.micrometer.core.instrument.Metrics.addRegistry(appsRegistry);
        var server = ManagementFactory.getPlatformMBeanServer();
        var name = FilterMBean.nameOf("", "python");

        var bean = FilterMBean.register("", "python", "app:go", null, new Metrics(), () -> {
            throw new AssertionError("the workers are read only when their figures are");
        });

        assertTrue(server.isRegistered(name));
        assertEquals(0L, server.getAttribute(name, "Requests"));
        assertEquals(0.0, server.getAttribute(name, "GilWaitMillis"));
        var requests = appsRegistry.find("httpy.requests").tags("context", "/", "filter", "python").functionCounter();
        assertNotNull(requests, () -> "meters: " + appsRegistry.getMeters());
        assertEquals(0, requests.count());
        assertNotNull(appsRegistry.find("httpy.gil.wait").functionTimer());

        bean.unregister();

        assertFalse(server.isRegistered(name));
        assertTrue(appsRegistry.getMeters().isEmpty(), () -> "left: " + appsRegistry.getMeters());
        assertTrue(io.micrometer.core.instrument.Metrics.globalRegistry.getMeters().isEmpty());
    }

    @Test
    void aRegistryTheAppAddsAfterTheFilterStartedGetsItsMetersToo() {
        var bean = FilterMBean.register("/late", "python", "app:go", null, new Metrics(), () -> {
            throw new AssertionError("the workers are read only when their figures are");
        });
        try {
            io.micrometer.core.instrument.Metrics.addRegistry(appsRegistry);

            var requests = appsRegistry.find("httpy.requests").tags("context", "/late").functionCounter();
            assertNotNull(requests, () -> "meters: " + appsRegistry.getMeters());
            assertEquals(0, requests.count());
        } finally {
            bean.unregister();
        }
    }

    @Test
    void aRegistryTheWebAppGivesGetsTheMetersInsteadOfTheGlobalOne() {
        io.micrometer.core.instrument.Metrics.addRegistry(appsRegistry);
        var given = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        var bean = FilterMBean.register("/boot", "httpy", "app:go", given, new Metrics(), () -> {
            throw new AssertionError("the workers are read only when their figures are");
        });
        try {
            var requests = given.find("httpy.requests").tags("context", "/boot", "app", "app:go").functionCounter();
            assertNotNull(requests, () -> "meters: " + given.getMeters());
            assertTrue(appsRegistry.getMeters().isEmpty(), () -> "in the global registry too: " + appsRegistry.getMeters());
        } finally {
            bean.unregister();
        }
        assertTrue(given.getMeters().isEmpty(), () -> "left: " + given.getMeters());
    }
}
