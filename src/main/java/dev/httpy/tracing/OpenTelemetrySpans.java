package dev.httpy.tracing;

import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/** {@link Tracing} on OpenTelemetry's API; loaded only when the API is on the class path. */
final class OpenTelemetrySpans implements Tracing.RequestSpan {
    static final String SCOPE = "dev.httpy";
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> APP = AttributeKey.stringKey("httpy.app");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("httpy.app.kind");
    static final AttributeKey<String> INTERPRETER = AttributeKey.stringKey("httpy.interpreter");
    static final AttributeKey<String> WORKER = AttributeKey.stringKey("httpy.worker");
    static final AttributeKey<Double> WAIT = AttributeKey.doubleKey("httpy.python.wait_ms");

    private static final TextMapGetter<String> ONE_TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return java.util.List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final Span span;
    private final Context context;
    private final HttpServletRequest request;

    private OpenTelemetrySpans(Span span, Context context, HttpServletRequest request) {
        this.span = span;
        this.context = context;
        this.request = request;
    }

    static Tracing.RequestSpan start(HttpServletRequest request, String route, String app, String kind,
                                     String interpreter) {
        Context parent = Context.current();
        Span span = GlobalOpenTelemetry.getTracer(SCOPE).spanBuilder("python " + route).setParent(parent)
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute(ROUTE, route).setAttribute(APP, app).setAttribute(KIND, kind)
                .setAttribute(INTERPRETER, interpreter).startSpan();
        if (!span.getSpanContext().isValid()) {
            return null; // nothing records and there is no trace to continue
        }
        Context context = parent.with(span);
        Map<String, String> headers = new HashMap<>(4);
        W3CTraceContextPropagator.getInstance().inject(context, headers, Map::put);
        W3CBaggagePropagator.getInstance().inject(context, headers, Map::put);
        return new OpenTelemetrySpans(span, context, new TraceHeaders(request, headers));
    }

    static <T> T under(String traceparent, Tracing.Call<T> call) throws Throwable {
        Context pythons = W3CTraceContextPropagator.getInstance().extract(Context.current(), traceparent, ONE_TRACEPARENT);
        try (Scope ignored = pythons.makeCurrent()) {
            return call.call();
        }
    }

    @Override
    public HttpServletRequest request() {
        return request;
    }

    @Override
    public Tracing.Entered enter() {
        Scope scope = context.makeCurrent();
        return scope::close;
    }

    @Override
    public void ranOn(String thread, long waitedNanos) {
        span.setAttribute(WORKER, thread);
        if (waitedNanos >= 0) {
            span.setAttribute(WAIT, waitedNanos / 1e6);
        }
    }

    @Override
    public void end(int status) {
        span.setAttribute(STATUS, (long) status);
        if (status >= 500) {
            span.setStatus(StatusCode.ERROR, switch (status) {
                case 503 -> "HTTP 503: refused (a full python.queue, or stopping)";
                case 504 -> "HTTP 504: the app did not answer within python.timeout";
                default -> "HTTP " + status;
            });
        }
        span.end();
    }

    /**
     * The request with Java's trace context as its {@code traceparent}, {@code tracestate} and
     * {@code baggage} headers. The incoming {@code tracestate} goes with the incoming
     * {@code traceparent} it described; the incoming {@code baggage} stays when Java carries none.
     */
    static final class TraceHeaders extends HttpServletRequestWrapper {
        private final Map<String, String> headers;

        TraceHeaders(HttpServletRequest request, Map<String, String> headers) {
            super(request);
            this.headers = headers;
        }

        private static String own(String name) {
            String lower = name.toLowerCase(Locale.ROOT);
            return switch (lower) {
                case "traceparent", "tracestate", "baggage" -> lower;
                default -> null;
            };
        }

        /** Whether the incoming header {@code name} is replaced (or dropped) here. */
        private boolean replaced(String lower) {
            return !lower.equals("baggage") || headers.containsKey("baggage");
        }

        @Override
        public String getHeader(String name) {
            String own = own(name);
            return own == null || !replaced(own) ? super.getHeader(name) : headers.get(own);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String own = own(name);
            if (own == null || !replaced(own)) {
                return super.getHeaders(name);
            }
            String value = headers.get(own);
            return value == null ? Collections.emptyEnumeration() : Collections.enumeration(java.util.List.of(value));
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            var names = new java.util.ArrayList<String>();
            Enumeration<String> incoming = super.getHeaderNames();
            if (incoming != null) {
                while (incoming.hasMoreElements()) {
                    String name = incoming.nextElement();
                    String own = own(name);
                    if (own == null || !replaced(own)) {
                        names.add(name);
                    }
                }
            }
            for (String own : headers.keySet()) {
                if (replaced(own)) {
                    names.add(own);
                }
            }
            return Collections.enumeration(names);
        }
    }
}
