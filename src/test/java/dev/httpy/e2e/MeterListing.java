package dev.httpy.e2e;

import java.io.IOException;
import java.util.Comparator;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A web app's side of Micrometer, deployed in {@code TomcatMicrometerIT}'s WAR: at start-up it adds
 * its registry to {@link Metrics#globalRegistry}, as an app without Spring Boot does, and
 * {@code GET} lists every {@code httpy.*} measurement there, one a line:
 * {@code name{tag=value,...} STATISTIC value}.
 */
public class MeterListing extends HttpServlet implements ServletContextListener {
    private static final long serialVersionUID = 1L;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Metrics.addRegistry(new SimpleMeterRegistry());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        var lines = new StringBuilder();
        Metrics.globalRegistry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("httpy."))
                .sorted(Comparator.comparing(m -> m.getId().toString()))
                .forEach(m -> m.measure().forEach(measured -> lines.append(name(m)).append(' ')
                        .append(measured.getStatistic()).append(' ').append(measured.getValue()).append('\n')));
        response.setContentType("text/plain");
        response.getWriter().write(lines.toString());
    }

    private static String name(Meter meter) {
        return meter.getId().getName() + meter.getId().getTags().stream()
                .map(t -> t.getKey() + "=" + t.getValue()).collect(Collectors.joining(",", "{", "}"));
    }
}
