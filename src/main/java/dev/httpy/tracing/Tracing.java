package dev.httpy.tracing;

import jakarta.servlet.http.HttpServletRequest;

/**
 * httpy's side of OpenTelemetry. For each request that goes to Python it starts one span of its own,
 * a child of the span current on the container thread (the server span the Java agent or Spring's
 * tracing made), and shows Python that span as the request's W3C {@code traceparent} and
 * {@code tracestate} (and Java's {@code baggage}) in place of the incoming headers, so Python's
 * instrumentations and {@code opentelemetry.propagate.extract} continue Java's trace. A call from
 * Python into an exposed Java object runs under the span Python had current.
 *
 * <p>Without OpenTelemetry's API on the web app's class path every method here returns at once.
 */
public final class Tracing {
    private static final boolean PRESENT = apiPresent();

    private Tracing() {
    }

    private static boolean apiPresent() {
        try {
            Class.forName("io.opentelemetry.api.GlobalOpenTelemetry", false, Tracing.class.getClassLoader());
            Class.forName("io.opentelemetry.context.Context", false, Tracing.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Whether the web app has OpenTelemetry's API. */
    public static boolean present() {
        return PRESENT;
    }

    /** httpy's span around one request's Python call, and what Python sees of it. */
    public interface RequestSpan {
        /** The request as Python sees it: its trace headers are this span's. */
        HttpServletRequest request();

        /** Makes this span current on this thread until the scope closes (Java objects Python calls nest under it). */
        Entered enter();

        /** The thread that ran the request's Python, and how long the request waited for it (a worker and its GIL); negative when not measured. */
        void ranOn(String thread, long waitedNanos);

        /** Ends the span with the request's status: 5xx marks it failed (504: python.timeout passed). */
        void end(int status);
    }

    /** Work that may throw anything, as a reflective call does. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws Throwable;
    }

    /** A span made current on this thread, until closed. */
    public interface Entered extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Starts httpy's span for a request that matched {@code route}, under the span current on this
     * thread; null when OpenTelemetry is absent or neither records nor has a trace to continue.
     *
     * @param kind        the app kind: {@code function}, {@code wsgi} or {@code asgi}
     * @param interpreter the interpreter that serves it ({@code main}, {@code isolated}, {@code per-worker})
     */
    public static RequestSpan start(HttpServletRequest request, String route, String app, String kind,
                                    String interpreter) {
        return PRESENT ? OpenTelemetrySpans.start(request, route, app, kind, interpreter) : null;
    }

    /**
     * Runs {@code call} with the span {@code traceparent} names (Python's current span, W3C form)
     * current, so the spans Java makes there are its children; with none, as it is.
     */
    public static <T> T under(String traceparent, Call<T> call) throws Throwable {
        return PRESENT && traceparent != null ? OpenTelemetrySpans.under(traceparent, call) : call.call();
    }
}
