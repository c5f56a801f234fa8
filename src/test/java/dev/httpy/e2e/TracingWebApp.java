package dev.httpy.e2e;

import java.io.IOException;
import java.util.Collections;

import dev.httpy.python.PythonExposed;
import dev.httpy.servlet.PythonExposures;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The Java side of {@link TracingContract}'s web app: OpenTelemetry's SDK with an in-memory exporter,
 * a server span per request as the Java agent makes one (continuing the caller's {@code traceparent}),
 * the Java object Python calls, and {@code /spans}, which lists the spans that ended.
 */
public final class TracingWebApp {
    static final InMemorySpanExporter EXPORTED = InMemorySpanExporter.create();

    private TracingWebApp() {
    }

    private static Tracer tracer() {
        return GlobalOpenTelemetry.getTracer("tracing-it");
    }

    /** Registers the SDK and exposes {@link Traced} as {@code traced}, before httpy's listener starts Python. */
    public static final class Setup implements ServletContextListener {
        @Override
        public void contextInitialized(ServletContextEvent event) {
            GlobalOpenTelemetry.resetForTest();
            OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(EXPORTED)).build()).buildAndRegisterGlobal();
            PythonExposures.expose(event.getServletContext(), "traced", new Traced());
        }

        @Override
        public void contextDestroyed(ServletContextEvent event) {
            GlobalOpenTelemetry.resetForTest();
        }
    }

    /** What a Java object that Python calls traces: a span of its own, under whatever is current. */
    public static final class Traced {
        @PythonExposed
        public String work() {
            Span span = tracer().spanBuilder("java bean").startSpan();
            span.end();
            return span.getSpanContext().getSpanId();
        }
    }

    /** The agent's server span: the caller's trace continued, current while the chain runs, ended with the request. */
    public static final class ServerSpans implements Filter {
        private static final TextMapGetter<HttpServletRequest> HEADERS = new TextMapGetter<>() {
            @Override
            public Iterable<String> keys(HttpServletRequest request) {
                return Collections.list(request.getHeaderNames());
            }

            @Override
            public String get(HttpServletRequest request, String name) {
                return request == null ? null : request.getHeader(name);
            }
        };

        @Override
        public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
            var request = (HttpServletRequest) req;
            if (request.getRequestURI().endsWith("/spans")) {
                chain.doFilter(req, resp);
                return;
            }
            Context caller = W3CTraceContextPropagator.getInstance().extract(Context.root(), request, HEADERS);
            Span span = tracer().spanBuilder(request.getMethod() + " " + request.getRequestURI()).setParent(caller)
                    .setSpanKind(SpanKind.SERVER).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                chain.doFilter(req, resp);
            } finally {
                if (request.isAsyncStarted()) {
                    request.getAsyncContext().addListener(new AsyncListener() {
                        @Override
                        public void onComplete(AsyncEvent event) {
                            span.end();
                        }

                        @Override
                        public void onTimeout(AsyncEvent event) {
                        }

                        @Override
                        public void onError(AsyncEvent event) {
                        }

                        @Override
                        public void onStartAsync(AsyncEvent event) {
                        }
                    });
                } else {
                    span.end();
                }
            }
        }
    }

    /** One ended span a line: name, trace id, span id, parent span id, kind, then its attributes. */
    public static final class Spans extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain;charset=UTF-8");
            var out = response.getWriter();
            for (SpanData span : EXPORTED.getFinishedSpanItems()) {
                out.println(String.join("\t", span.getName(), span.getTraceId(), span.getSpanId(),
                        span.getParentSpanId(), span.getKind().name(), span.getStatus().getStatusCode().name(),
                        span.getAttributes().asMap().toString()));
            }
        }
    }
}
