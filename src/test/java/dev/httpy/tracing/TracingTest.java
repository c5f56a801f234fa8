package dev.httpy.tracing;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * httpy's span and the trace headers Python sees, against OpenTelemetry's SDK with its in-memory
 * exporter; the real containers and Python are TracingContract's.
 */
class TracingTest {
    private static final String UPSTREAM = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();

    @AfterEach
    void forget() {
        GlobalOpenTelemetry.resetForTest();
    }

    private void sdk() {
        GlobalOpenTelemetry.resetForTest();
        OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exported)).build()).buildAndRegisterGlobal();
    }

    /** A servlet request with these headers and attributes kept. */
    private static HttpServletRequest request(Map<String, List<String>> headers) {
        Map<String, Object> attributes = new HashMap<>();
        return (HttpServletRequest) Proxy.newProxyInstance(TracingTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getHeader" -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase((String) args[0]))
                            .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
                    case "getHeaders" -> Collections.enumeration(headers.entrySet().stream()
                            .filter(e -> e.getKey().equalsIgnoreCase((String) args[0])).flatMap(e -> e.getValue().stream()).toList());
                    case "getHeaderNames" -> Collections.enumeration(headers.keySet());
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "getAttribute" -> attributes.get((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void pythonSeesHttpysSpanAsTraceparentUnderTheServerSpan() {
        sdk();
        var incoming = request(Map.of("Traceparent", List.of(UPSTREAM), "tracestate", List.of("up=1"),
                "Accept", List.of("*/*")));
        Span server = GlobalOpenTelemetry.getTracer("test").spanBuilder("GET /app/hello").startSpan();
        Tracing.RequestSpan span;
        try (Scope ignored = server.makeCurrent()) {
            span = Tracing.start(incoming, "/hello", "app:handle", "function", "main");
        }
        HttpServletRequest seen = span.request();
        String traceparent = seen.getHeader("traceparent");
        String[] parts = traceparent.split("-");
        assertEquals(server.getSpanContext().getTraceId(), parts[1], "Java's trace, not the upstream's");
        assertEquals(List.of(traceparent), Collections.list(seen.getHeaders("TRACEPARENT")));
        assertNull(seen.getHeader("tracestate"), "the upstream's tracestate went with its traceparent");
        assertEquals(List.of("Accept", "traceparent"), Collections.list(seen.getHeaderNames()));
        span.ranOn("httpy-python-1", 2_000_000);
        span.end(200);
        server.end();

        SpanData httpy = exported.getFinishedSpanItems().getFirst();
        assertEquals("python /hello", httpy.getName());
        assertEquals(parts[2], httpy.getSpanId(), "Python's parent is httpy's span");
        assertEquals(server.getSpanContext().getSpanId(), httpy.getParentSpanId());
        var attributes = httpy.getAttributes().asMap();
        assertEquals("function", attributes.get(OpenTelemetrySpans.KIND));
        assertEquals("main", attributes.get(OpenTelemetrySpans.INTERPRETER));
        assertEquals("httpy-python-1", attributes.get(OpenTelemetrySpans.WORKER));
        assertEquals(2.0, attributes.get(OpenTelemetrySpans.WAIT));
        assertEquals(200L, attributes.get(OpenTelemetrySpans.STATUS));
        assertEquals(StatusCode.UNSET, httpy.getStatus().getStatusCode());
    }

    @Test
    void aTimeoutMarksTheSpanFailed() {
        sdk();
        Tracing.start(request(Map.of()), "/slow", "app:handle", "wsgi", "isolated").end(504);
        SpanData httpy = exported.getFinishedSpanItems().getFirst();
        assertEquals(StatusCode.ERROR, httpy.getStatus().getStatusCode());
        assertTrue(httpy.getStatus().getDescription().contains("python.timeout"), httpy.getStatus().getDescription());
        assertEquals(Span.getInvalid().getSpanContext().getSpanId(), httpy.getParentSpanId(), "a root without a server span");
    }

    @Test
    void javasBaggageReplacesTheIncomingOneAndIsKeptWithoutIt() {
        sdk();
        var incoming = request(Map.of("baggage", List.of("user=upstream")));
        assertEquals("user=upstream", Tracing.start(incoming, "/", "a", "asgi", "main").request().getHeader("baggage"));
        try (Scope ignored = Baggage.builder().put("user", "java").build().makeCurrent()) {
            assertEquals("user=java", Tracing.start(incoming, "/", "a", "asgi", "main").request().getHeader("baggage"));
        }
    }

    @Test
    void withNothingRecordingAndNoTraceNothingChanges() {
        GlobalOpenTelemetry.resetForTest(); // the API's no-op
        assertNull(Tracing.start(request(Map.of("traceparent", List.of(UPSTREAM))), "/", "a", "function", "main"));
    }

    @Test
    void aJavaCallFromPythonRunsUnderPythonsSpan() throws Throwable {
        sdk();
        String python = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";
        Tracing.under(python, () -> {
            GlobalOpenTelemetry.getTracer("bean").spanBuilder("price").startSpan().end();
            return null;
        });
        SpanData bean = exported.getFinishedSpanItems().getFirst();
        assertEquals("0af7651916cd43dd8448eb211c80319c", bean.getTraceId());
        assertEquals("00f067aa0ba902b7", bean.getParentSpanId());
        assertEquals("done", Tracing.under(null, () -> "done"));
    }
}
