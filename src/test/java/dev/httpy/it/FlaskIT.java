package dev.httpy.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.httpy.it.HttpClientSupport.get;
import static dev.httpy.it.HttpClientSupport.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The example's real Flask app (Debian's python3-flask on Debian's Python 3.11) mounted with
 * python.wsgi in an embedded Tomcat, over real HTTP.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FlaskIT {
    private static final boolean FLASK = Files.isExecutable(Path.of("/usr/bin/python3.11"))
            && Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/flask"));

    @ArquillianResource
    private URL base;

    @BeforeAll
    static void needsFlask() {
        if (!FLASK) {
            System.out.println("SKIPPED FlaskIT: needs Debian's python3.11 and python3-flask"
                    + " (apt-get install python3-dev python3-flask); .ci/run installs them");
        }
        assumeTrue(FLASK, "needs Debian's python3.11 and python3-flask");
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        return archive.setWebXML(new File("src/test/resources/wsgi/flask-web.xml"));
    }

    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/$", "") + path);
    }

    private String context() {
        return base.getPath().replaceAll("/$", "");
    }

    @Test
    void aPathParameterAndTheQueryReachTheView() throws Exception {
        var response = get(uri("/flask/books/2?tag=a&tag=b"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"title\":\"Solaris\""), response.body());
        assertTrue(response.body().contains("\"mount\":\"" + context() + "/flask\""), response.body());
        assertTrue(response.body().contains("\"tag\":[\"a\",\"b\"]"), response.body());
    }

    @Test
    void jsonIsPosted() throws Exception {
        var response = send("POST", uri("/flask/books"), "{\"title\": \"Ubik\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertEquals(201, response.statusCode());
        assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("\"title\":\"Ubik\""));
    }

    @Test
    void aFormIsPosted() throws Exception {
        var response = send("POST", uri("/flask/form"), "name=Zo%C3%AB&tag=x&tag=y".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode(), body);
        assertTrue(body.contains("\"name\":[\"Zo\\u00eb\"]") && body.contains("\"tag\":[\"x\",\"y\"]"), body);
    }

    @Test
    void aBinaryFileIsUploadedAsMultipart() throws Exception {
        byte[] file = new byte[200_000];
        long sum = 0;
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (i * 7);
            sum += file[i] & 0xff;
        }
        String boundary = "httpy-boundary-42";
        var body = new java.io.ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(file);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var response = send("POST", uri("/flask/upload"), body.toByteArray(),
                "Content-Type", "multipart/form-data; boundary=" + boundary);
        String answer = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode(), answer);
        assertTrue(answer.contains("\"name\":\"data.bin\"") && answer.contains("\"size\":200000")
                && answer.contains("\"sum\":" + (sum % 65536)), answer);
    }

    @Test
    void aStreamedResponseReachesTheClientChunkByChunk() throws Exception {
        var client = HttpClient.newHttpClient();
        var response = client.send(HttpRequest.newBuilder(uri("/flask/stream?pause=1")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String first = reader.readLine();
            long firstAt = System.nanoTime();
            assertEquals("chunk 0", first);
            assertEquals("chunk 1", reader.readLine());
            assertEquals("chunk 2", reader.readLine());
            long lastAt = System.nanoTime();
            // The generator sleeps 1 s after each chunk: the first one arrived while it was still running.
            assertTrue(lastAt - firstAt > 1_500_000_000L, "the chunks arrived together");
        }
    }

    @Test
    void flasksOwn404And500AreSent() throws Exception {
        var missing = get(uri("/flask/books/99"));
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("Not Found"), missing.body());
        var broken = get(uri("/flask/boom"));
        assertEquals(500, broken.statusCode());
        assertFalse(broken.body().contains("a bug in a Flask view"), "Flask leaked its exception");
        assertEquals(200, get(uri("/flask/hello")).statusCode());
    }

    @Test
    void cookiesGoBothWays() throws Exception {
        var response = get(uri("/flask/cookie"), "Cookie", "flavour=ginger");
        assertTrue(response.body().contains("\"seen\":\"ginger\""), response.body());
        assertTrue(response.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith("flavour=oatmeal")));
    }

    @Test
    void aRedirectPointsInsideTheMount() throws Exception {
        var response = get(uri("/flask/go"));
        assertEquals(302, response.statusCode());
        assertTrue(response.headers().firstValue("Location").orElseThrow().endsWith(context() + "/flask/books/1"),
                response.headers().map().toString());
    }

    @Test
    void headSendsNoBody() throws Exception {
        var response = send("HEAD", uri("/flask/hello"), new byte[0]);
        assertEquals(200, response.statusCode());
        assertEquals(0, response.body().length);
    }
}
