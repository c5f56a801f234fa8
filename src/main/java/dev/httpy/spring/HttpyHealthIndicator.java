package dev.httpy.spring;

import dev.httpy.python.PythonRuntime;
import dev.httpy.servlet.PythonLifecycleListener;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code httpy} under {@code /actuator/health}: UP while the web app's Python serves (its version
 * and interpreter as details), DOWN with the reason before it started or when it did not.
 */
final class HttpyHealthIndicator implements HealthIndicator {
    private final HttpyServletInitializer initializer;

    HttpyHealthIndicator(HttpyServletInitializer initializer) {
        this.initializer = initializer;
    }

    @Override
    public Health health() {
        var context = initializer.context();
        if (context == null) {
            return Health.down().withDetail("reason", "the servlet context has not started httpy yet").build();
        }
        if (!(context.getAttribute(PythonLifecycleListener.RUNTIME_ATTRIBUTE) instanceof PythonRuntime runtime)) {
            return Health.down().withDetail("reason", "Python did not start; the log says why").build();
        }
        return Health.up().withDetail("python", runtime.version())
                .withDetail("interpreter", runtime.isolation().name().toLowerCase()).build();
    }
}
