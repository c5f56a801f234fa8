package dev.httpy.it;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.httpy.it.HttpClientSupport.get;
import static dev.httpy.it.HttpClientSupport.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP checks every container must pass with the integration-test WAR ({@link ItWar}): Python
 * routes, parameters, round trips, fall-through to the Java servlet, and the failures Python can
 * cause. A subclass says where the deployed app is; the embedded Tomcat, a standalone Tomcat and a
 * standalone Jetty run the same checks.
 */
public abstract class HttpContract {

    /** The web app's root, such as {@code http://127.0.0.1:8080/it}, without a trailing slash. */
    protected abstract URI base();

    protected final URI uri(String path) {
        return URI.create(base().toString().replaceAll("/$", "") + path);
    }

    @Test
    public void aPythonRouteIsAnsweredByPython() throws Exception {
        var response = get(uri("/python"));
        assertEquals(200, response.statusCode());
        assertEquals("hello from python", response.body());
        assertEquals("text/plain;charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow()
                .replace(" ", "").toLowerCase());
    }

    @Test
    public void aJavaServletCallsPythonThroughCdiInjection() throws Exception {
        var sum = get(uri("/java/py-sum?n=1&n=2&n=3.5"));
        assertEquals(200, sum.statusCode(), sum.body());
        assertEquals("6.5", sum.body());
        assertEquals("42", get(uri("/java/py-sum?n=40&n=2")).body(), "int in, int out");
    }

    @Test
    public void aPathParameterReachesPython() throws Exception {
        var response = get(uri("/users/42?field=name&field=email"));
        assertEquals(200, response.statusCode());
        assertEquals("{\"id\": \"42\", \"fields\": [\"name\", \"email\"]}", response.body());
    }

    @Test
    public void aCatchAllParameterKeepsTheRestOfThePath() throws Exception {
        var response = get(uri("/files/docs/r%C3%A9sum%C3%A9.txt"));
        assertEquals(200, response.statusCode());
        assertEquals("you asked for the file 'docs/résumé.txt'", response.body());
    }

    @Test
    public void queryAndHeadersRoundTripWithRepeatedValues() throws Exception {
        var response = get(uri("/inspect?tag=a&tag=b&empty=&caf%C3%A9=cr%C3%A8me+br%C3%BBl%C3%A9e"),
                "X-Tag", "one", "X-Tag", "two");
        assertEquals(200, response.statusCode());
        String body = response.body();
        assertTrue(body.contains("\"query\": {\"caf\\u00e9\": [\"cr\\u00e8me br\\u00fbl\\u00e9e\"],"
                + " \"empty\": [\"\"], \"tag\": [\"a\", \"b\"]}"), body);
        assertTrue(body.contains("\"query_keys\": [\"tag\", \"empty\", \"caf\\u00e9\"]"), body);
        assertTrue(body.contains("\"x_tag\": [\"one\", \"two\"]"), body);
        assertEquals(List.of("a", "b"), response.headers().allValues("X-Multi"));
    }

    @Test
    public void aBinaryBodyRoundTripsUnchanged() throws Exception {
        byte[] payload = new byte[70_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        var response = send("POST", uri("/echo/binary"), payload, "Content-Type", "application/octet-stream");
        assertEquals(200, response.statusCode());
        assertArrayEquals(payload, response.body());
        assertEquals("70000", response.headers().firstValue("X-Body-Length").orElseThrow());
    }

    @Test
    public void anEmptyBodyArrivesAsEmptyBytes() throws Exception {
        var response = send("POST", uri("/inspect"), new byte[0]);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode());
        assertTrue(body.contains("\"body_length\": 0") && body.contains("\"body_type\": \"bytes\""), body);
    }

    @Test
    public void jsonEchoesThroughPython() throws Exception {
        byte[] json = "{\"name\": \"Zoë\", \"n\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
        var response = send("POST", uri("/echo/json?x=1"), json, "Content-Type", "application/json");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode());
        assertTrue(body.contains("\"received\": {\"name\": \"Zo\\u00eb\", \"n\": [1, 2]}"), body);
    }

    @Test
    public void cExtensionModulesImportAndWork() throws Exception {
        var response = get(uri("/ext"));
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body();
        // _decimal, _json, _ssl, _sqlite3 and _hashlib are shared objects that need libpython's symbols.
        assertTrue(body.contains("\"decimal_c\": \"True\"") && body.contains("\"json_c_encoder\": \"True\""), body);
        assertTrue(body.contains("\"one_seventh\": \"0.1428571428571428571428571429\""), body);
        assertTrue(body.contains("\"sha256\": \"eaad90e9706f8c7290b6f938dbafa4b024e053f11080137adea9f6b8b8a6a9e5\""), body);
        assertTrue(body.contains("\"ssl\": \"OpenSSL ") && body.contains("\"sqlite3\": \"3."), body);
    }

    @Test
    public void aPathWithoutARouteIsServedByTheJavaServlet() throws Exception {
        var response = get(uri("/java"));
        assertEquals(200, response.statusCode());
        assertEquals("hello from java", response.body());
    }

    @Test
    public void aRoutedPathWithAnUnlistedMethodFallsThroughToTheServlet() throws Exception {
        // /users/:id lists GET only; the servlet mapped at /users/* answers the POST.
        var response = send("POST", uri("/users/42"), new byte[0]);
        assertEquals(200, response.statusCode());
        assertEquals("hello from java", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    public void anExceptionGives500WithoutTracebackAndTheNextRequestWorks() throws Exception {
        var failed = get(uri("/fail/exception"));
        assertEquals(500, failed.statusCode());
        assertFalse(failed.body().contains("Traceback") || failed.body().contains("boom"), failed.body());
        assertEquals(200, get(uri("/python")).statusCode());
    }

    @Test
    public void aBadAnswerShapeGives500() throws Exception {
        assertEquals(500, get(uri("/fail/shape")).statusCode());
        assertEquals(500, get(uri("/fail/status")).statusCode());
        assertEquals(200, get(uri("/python")).statusCode());
    }

    @Test
    public void aHeaderValueWithCrLfGives500NotASplitResponse() throws Exception {
        var response = get(uri("/fail/header"));
        assertEquals(500, response.statusCode());
        assertTrue(response.headers().allValues("Set-Cookie").isEmpty());
    }

    @Test
    public void sysExitGives500AndTheServerKeepsServing() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(500, get(uri("/fail/exit")).statusCode());
            var next = get(uri("/python"));
            assertEquals(200, next.statusCode());
            assertEquals("hello from python", next.body());
        }
    }
}
