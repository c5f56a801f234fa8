package dev.httpy.it;

import java.io.File;
import java.net.URI;
import java.net.URL;
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
 * A real Django site (Debian's python3-django on Debian's Python 3.11, {@code wsgi/django_site.py})
 * mounted with python.wsgi at {@code /django/*} and with python.asgi at {@code /django-asgi/*} in an
 * embedded Tomcat, over real HTTP.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DjangoIT {
    private static final boolean DJANGO = Files.isExecutable(Path.of("/usr/bin/python3.11"))
            && Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/django"));

    @ArquillianResource
    private URL base;

    @BeforeAll
    static void needsDjango() {
        if (!DJANGO) {
            System.out.println("SKIPPED DjangoIT: needs Debian's python3.11 and python3-django"
                    + " (apt-get install python3-dev python3-django); .ci/run installs them");
        }
        assumeTrue(DJANGO, "needs Debian's python3.11 and python3-django");
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        return archive.setWebXML(new File("src/test/resources/wsgi/django-web.xml"))
                .addAsWebInfResource(new File("src/test/resources/wsgi/django_site.py"), "python/django_site.py");
    }

    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/$", "") + path);
    }

    private String context() {
        return base.getPath().replaceAll("/$", "");
    }

    @Test
    void aPathConverterAndTheQueryReachTheViewUnderTheMount() throws Exception {
        var response = get(uri("/django/items/42?tag=a&tag=b"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"id\": 42"), response.body());
        assertTrue(response.body().contains("\"script_name\": \"" + context() + "/django\""), response.body());
        assertTrue(response.body().contains("\"path\": \"" + context() + "/django/items/42\""), response.body());
        assertTrue(response.body().contains("\"tags\": [\"a\", \"b\"]"), response.body());
    }

    /** Django's get_asgi_application(): an async view awaits on the ASGI app's event loop, under the mount. */
    @Test
    void anAsyncViewThroughDjangosAsgiHandler() throws Exception {
        var response = get(uri("/django-asgi/pause?seconds=0.05"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"script_name\": \"" + context() + "/django-asgi\""), response.body());
        assertTrue(response.body().contains("\"path\": \"" + context() + "/django-asgi/pause\""), response.body());
        // On the event loop (the worker that drives it, or its own thread with -Dhttpy.asgi.loop=thread), not in
        // one of asgiref's executor threads, where sync_to_async would have put a sync view.
        assertTrue(response.body().contains("\"thread\": \""), response.body());
        assertFalse(response.body().contains("ThreadPoolExecutor"), response.body());
        var missing = get(uri("/django-asgi/nowhere"));
        assertEquals(404, missing.statusCode());
    }

    @Test
    void aFormIsPosted() throws Exception {
        var response = send("POST", uri("/django/form"), "name=caf%C3%A9&n=1&n=2".getBytes(StandardCharsets.US_ASCII),
                "Content-Type", "application/x-www-form-urlencoded");
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(200, response.statusCode(), body);
        assertTrue(body.contains("\"name\": [\"caf\\u00e9\"]"), body);
        assertTrue(body.contains("\"n\": [\"1\", \"2\"]"), body);
    }

    @Test
    void reverseBuildsUrlsInsideTheMount() throws Exception {
        var response = get(uri("/django/go"));
        assertEquals(302, response.statusCode(), response.body());
        assertEquals(context() + "/django/items/7", response.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void djangosOwn404And500AnswerAndTheNextRequestIsServed() throws Exception {
        var missing = get(uri("/django/nowhere"));
        assertEquals(404, missing.statusCode(), missing.body());
        var broken = get(uri("/django/boom"));
        assertEquals(500, broken.statusCode(), broken.body());
        assertFalse(broken.body().contains("Traceback"), broken.body());
        assertFalse(broken.body().contains("a bug in a Django view"), broken.body());
        assertEquals(200, get(uri("/django/items/1")).statusCode());
    }

    @Test
    void pathsOutsideTheMountFallThrough() throws Exception {
        assertEquals(404, get(uri("/elsewhere")).statusCode());
    }
}
