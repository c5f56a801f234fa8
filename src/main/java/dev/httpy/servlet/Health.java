package dev.httpy.servlet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.httpy.runtime.PythonRuntime;

import jakarta.servlet.ServletContext;

/**
 * Whether a web app's Python serves, as a readiness probe ({@code python.health}) or Spring Boot's
 * health endpoint asks it: up while its interpreter runs and every filter has a worker that is not
 * stuck; down, with the reason, before Python started, when it did not start, while the web app
 * stops ({@link Drain}), and while every worker of a filter has been inside one request for longer
 * than its {@code python.timeout} (a handler stuck in a C call, which no timeout can stop). Read from
 * what the filters already track; it calls no Python.
 *
 * @param up      whether the app serves
 * @param reason  why not, for people; empty when up
 * @param details {@code python} (the version), {@code interpreter} ({@code isolated} or {@code main}) and
 *                {@code filters}: for each filter by name its {@code workers}, {@code busy}, {@code stuck},
 *                {@code queued} and {@code inFlight} (requests taken and not answered yet); in this order
 */
public record Health(boolean up, String reason, Map<String, Object> details) {
    /** The context attribute listing the web app's running filters. */
    static final String FILTERS_ATTRIBUTE = Health.class.getName() + ".filters";

    public Health {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** The health of the web app in {@code context} now. */
    public static Health of(ServletContext context) {
        if (!(context.getAttribute(PythonLifecycleListener.RUNTIME_ATTRIBUTE) instanceof PythonRuntime runtime)) {
            return new Health(false, "Python is not running: it has not started, or its start failed (the log says why)",
                    Map.of());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("python", runtime.version());
        details.put("interpreter", runtime.isolation().name().toLowerCase());
        String drain = Drain.reasonIn(context);
        String reason = drain != null ? drain : "";
        Map<String, Object> filters = new LinkedHashMap<>();
        for (PythonDispatchFilter filter : filters(context)) {
            PythonDispatchFilter.Load load = filter.load();
            if (load == null) {
                continue;
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("workers", load.workers());
            figures.put("busy", load.busy());
            figures.put("stuck", load.stuck());
            figures.put("queued", load.queued());
            figures.put("inFlight", load.inFlight());
            filters.put(filter.filterName(), Collections.unmodifiableMap(figures));
            if (reason.isEmpty() && load.workers() > 0 && load.stuck() >= load.workers()) {
                reason = "every one of the " + load.workers() + " workers of filter " + filter.filterName()
                        + " has been in one request for longer than python.timeout=" + load.timeoutSeconds()
                        + " s; python.max-workers above python.workers starts more while some are stuck";
            }
        }
        details.put("filters", filters);
        return new Health(reason.isEmpty(), reason, details);
    }

    /**
     * This health as the JSON body of the health path: {@code status} ({@code UP} or {@code DOWN}),
     * {@code reason} when down, then the details.
     */
    public String json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        if (!up) {
            body.put("reason", reason);
        }
        body.putAll(details);
        var json = new StringBuilder();
        write(json, body);
        return json.append('\n').toString();
    }

    private static void write(StringBuilder json, Object value) {
        switch (value) {
            case Map<?, ?> map -> {
                json.append('{');
                String comma = "";
                for (var entry : map.entrySet()) {
                    json.append(comma);
                    write(json, String.valueOf(entry.getKey()));
                    json.append(':');
                    write(json, entry.getValue());
                    comma = ",";
                }
                json.append('}');
            }
            case Number number -> json.append(number);
            case Boolean bool -> json.append(bool);
            case null -> json.append("null");
            default -> {
                json.append('"');
                for (char c : value.toString().toCharArray()) {
                    switch (c) {
                        case '"' -> json.append("\\\"");
                        case '\\' -> json.append("\\\\");
                        case '\n' -> json.append("\\n");
                        default -> {
                            if (c < 0x20) {
                                json.append(String.format("\\u%04x", (int) c));
                            } else {
                                json.append(c);
                            }
                        }
                    }
                }
                json.append('"');
            }
        }
    }

    static void add(ServletContext context, PythonDispatchFilter filter) {
        synchronized (context) {
            filters(context).add(filter);
        }
    }

    static void remove(ServletContext context, PythonDispatchFilter filter) {
        synchronized (context) {
            filters(context).remove(filter);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<PythonDispatchFilter> filters(ServletContext context) {
        synchronized (context) {
            if (!(context.getAttribute(FILTERS_ATTRIBUTE) instanceof List<?> list)) {
                List<PythonDispatchFilter> fresh = new CopyOnWriteArrayList<>();
                context.setAttribute(FILTERS_ATTRIBUTE, fresh);
                return fresh;
            }
            return (List<PythonDispatchFilter>) list;
        }
    }
}
