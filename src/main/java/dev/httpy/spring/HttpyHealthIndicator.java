package dev.httpy.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code httpy} under {@code /actuator/health}: UP while the web app's Python serves (its version,
 * interpreter and each filter's workers as details); DOWN with the reason before it started, when it
 * did not, while the application stops (httpy's drain, {@code httpy.drain-timeout}), and while every
 * worker of a filter is stuck past {@code httpy.timeout}, as {@link dev.httpy.servlet.Health} says.
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
        var health = dev.httpy.servlet.Health.of(context);
        var builder = health.up() ? Health.up() : Health.down().withDetail("reason", HttpyProperties.named(health.reason()));
        return builder.withDetails(health.details()).build();
    }
}
