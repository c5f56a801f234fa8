package dev.httpy.e2e;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.httpy.it.ItWar;
import dev.httpy.it.TodaysVenv;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One trace from Java into Python and back, in a real container: the web app has OpenTelemetry's SDK
 * with an in-memory exporter and a server span per request, as the Java agent gives ({@link
 * TracingWebApp}); a request function, a Flask app and a FastAPI app on the venv of today's stacks
 * (opentelemetry-api) continue the trace they are handed and call a Java object under a span of
 * their own. For each: Python's parent is httpy's span, a child of the server span, which continues
 * the caller's trace; the caller's own {@code traceparent} never reaches Python; the Java object's
 * span is a child of Python's.
 */
abstract class TracingContract {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static ServerProcess server;

    abstract ServerProcess newServer();

    /** One ended span as /spans lists it. */
    record Ended(String name, String trace, String span, String parent, String kind, String status, String attributes) {
        static Ended of(String line) {
            String[] f = line.split("\t", 7);
            return new Ended(f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
        }
    }

    @BeforeAll
    void start() throws IOException {
        Path python = TodaysVenv.python(getClass().getSimpleName());
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        archive.setWebXML(new StringAsset(TodaysVenv.withExecutable(
                        Files.readString(Path.of("src/test/resources/tracing/web.xml")), python)))
                .addAsWebInfResource(new File("src/test/resources/tracing/tracing_app.py"), "python/tracing_app.py")
                .addClass(TracingWebApp.class);
        // OpenTelemetry's API, SDK and in-memory exporter: the jars the build has on its class path.
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("/io/opentelemetry/") && entry.endsWith(".jar")) {
                archive.addAsLibrary(new File(entry));
            }
        }
        server = newServer();
        server.deploy(ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/tracing.war")), "tr");
        server.start().awaitStatus("/tr/spans", 200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static HttpResponse<String> get(URI uri, String traceparent) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("traceparent", traceparent).header("tracestate", "caller=1").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": \"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"function", "flask", "fastapi"})
    void pythonContinuesJavasTraceAndJavaContinuesPythons(String app) throws Exception {
        // A caller's trace of its own per app, so each request's spans are told apart.
        String trace = CALLER_TRACE.substring(0, 24) + String.format("%08x", app.hashCode());
        var answer = get(server.uri("/tr/" + app + "/traced"), "00-" + trace + "-" + CALLER_SPAN + "-01");
        assertEquals(200, answer.statusCode(), answer.body());
        String body = answer.body();

        List<Ended> spans = new ArrayList<>();
        for (String line : get(server.uri("/tr/spans"), "00-" + trace + "-" + CALLER_SPAN + "-01").body().split("\n")) {
            Ended span = Ended.of(line);
            if (span.trace().equals(trace)) {
                spans.add(span);
            }
        }
        Map<String, Ended> byName = new java.util.HashMap<>();
        spans.forEach(s -> byName.put(s.name().startsWith("GET ") ? "server" : s.name(), s));
        Ended serverSpan = byName.get("server");
        Ended httpy = byName.get("python " + (app.equals("function") ? "/function/traced" : "/" + app + "/*path"));
        Ended bean = byName.get("java bean");
        assertTrue(serverSpan != null && httpy != null && bean != null, "spans of trace " + trace + ": " + spans);

        assertEquals(CALLER_SPAN, serverSpan.parent(), "the server span continues the caller's trace");
        assertEquals(serverSpan.span(), httpy.parent(), "httpy's span is a child of the server span");
        assertEquals("INTERNAL", httpy.kind());
        assertEquals(trace, field(body, "trace"), "Python continues Java's trace");
        assertEquals(httpy.span(), field(body, "parent"), "Python's parent is httpy's span");
        assertEquals("00-" + trace + "-" + httpy.span() + "-01", field(body, "seen"),
                "the traceparent header Python sees is Java's, not the caller's");
        assertNotEquals(CALLER_SPAN, field(body, "parent"));
        assertEquals(bean.span(), field(body, "bean"));
        assertEquals(field(body, "span"), bean.parent(), "the Java object's span is a child of Python's");

        String kind = app.equals("function") ? "function" : app.equals("flask") ? "wsgi" : "asgi";
        assertTrue(httpy.attributes().contains("httpy.app.kind=" + kind), httpy.attributes());
        assertTrue(httpy.attributes().contains("http.response.status_code=200"), httpy.attributes());
        assertTrue(httpy.attributes().contains("httpy.interpreter="), httpy.attributes());
        assertTrue(httpy.attributes().contains("httpy.worker="), httpy.attributes());
        assertEquals("UNSET", httpy.status());
    }
}
