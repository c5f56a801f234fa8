package dev.httpy.it;

import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.httpy.it.HttpClientSupport.get;
import static dev.httpy.it.HttpClientSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WSGI environ and protocol against PEP 3333: every app here runs inside
 * {@code wsgiref.validate.validator}, which raises (and so turns the answer into a 500 with the
 * traceback, python.debug being on) at any violation by the server.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class WsgiConformanceContract {

    @ArquillianResource
    URL base;


    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/$", "") + path);
    }

    @Test
    void theEnvironHasEveryRequiredKeyAndTheValidatorIsSatisfied() throws Exception {
        var response = get(uri("/wsgi/inspect/caf%C3%A9?b=2&a=%201"), "X-Tag", "one", "X-Tag", "two",
                "Cookie", "a=1", "Cookie", "b=2");
        String env = response.body();
        assertEquals(200, response.statusCode(), env);
        String context = base.getPath().replaceAll("/$", "");
        assertTrue(env.contains("\"SCRIPT_NAME\": \"" + context + "/wsgi\""), env);
        // PATH_INFO is decoded and carried as latin-1 "bytes in unicode": é is two characters.
        assertTrue(env.contains("\"PATH_INFO\": \"/inspect/caf\\u00c3\\u00a9\""), env);
        assertTrue(env.contains("\"QUERY_STRING\": \"b=2&a=%201\""), env);
        assertTrue(env.contains("\"REQUEST_METHOD\": \"GET\""), env);
        assertTrue(env.contains("\"SERVER_PROTOCOL\": \"HTTP/1.1\""), env);
        assertTrue(env.contains("\"SERVER_PORT\": \"" + base.getPort() + "\""), env);
        assertTrue(env.contains("\"REMOTE_ADDR\": \"127.0.0.1\""), env);
        assertTrue(env.contains("\"wsgi.url_scheme\": \"http\""), env);
        assertTrue(env.contains("\"HTTP_X_TAG\": \"one, two\""), env);
        assertTrue(env.contains("\"HTTP_COOKIE\": \"a=1; b=2\""), env);
    }

    @Test
    void aPostedBodyIsReadFromWsgiInput() throws Exception {
        byte[] body = new byte[300_000];
        var response = send("POST", uri("/wsgi/inspect"), body, "Content-Type", "application/octet-stream");
        String env = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode(), env);
        assertTrue(env.contains("\"body_length\": 300000"), env);
        assertTrue(env.contains("\"CONTENT_LENGTH\": \"300000\""), env);
        assertTrue(env.contains("\"CONTENT_TYPE\": \"application/octet-stream\""), env);
    }

    @Test
    void wsgiInputHonoursReadlineAndIteration() throws Exception {
        byte[] body = "first line\nsecond\nthird\n".getBytes(StandardCharsets.UTF_8);
        var response = send("POST", uri("/wsgi/lines"), body);
        assertEquals("first=b'first line\\n' rest=2", new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void theWriteCallableComesBeforeTheIterable() throws Exception {
        var response = get(uri("/wsgi/write"));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("written then iterated", response.body());
    }

    @Test
    void aWholeBodyGoesOutWithItsLengthAndAStreamedOneChunked() throws Exception {
        var listOfOne = get(uri("/wsgi/bare"));
        assertEquals("one chunk, no Content-Length", listOfOne.body());
        assertEquals(Optional.of(Integer.toString(listOfOne.body().length())),
                listOfOne.headers().firstValue("Content-Length"));
        var written = get(uri("/wsgi/write"));
        assertEquals(Optional.of("chunked"), written.headers().firstValue("Transfer-Encoding"));
        var declared = get(uri("/wsgi/inspect/declared"));
        assertEquals(Optional.of(Integer.toString(declared.body().getBytes(StandardCharsets.UTF_8).length)),
                declared.headers().firstValue("Content-Length"));
    }

    @Test
    void closeIsCalledOnEveryResponse() throws Exception {
        get(uri("/wsgi/inspect/marker-for-close"));
        var next = get(uri("/wsgi/inspect/after"));
        assertTrue(next.body().contains("/inspect/marker-for-close"), next.body());
    }

    @Test
    void pathsOutsideTheMountFallThrough() throws Exception {
        assertEquals(404, get(uri("/elsewhere")).statusCode());
    }
}
