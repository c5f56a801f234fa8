package dev.httpy.it;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.httpy.it.HttpClientSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged example WAR exactly as built, including CDI injection of the Python app. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExampleAppIT {

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
    }

    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/$", "") + path);
    }

    @Test
    void pythonAndJavaAnswerSideBySide() throws Exception {
        assertEquals("hello from python", get(uri("/python")).body());
        assertEquals("hello from java", get(uri("/java")).body());
    }

    /**
     * What a newcomer opens first: the root page links the example's routes, and none of its links
     * is dead. Flask and FastAPI may answer 503 (not installed for this Python), never 404; the
     * example's own routes answer 200.
     */
    @Test
    void theRootPageLinksEveryKindOfRouteAndNoLinkIsDead() throws Exception {
        var page = get(uri("/"));
        assertEquals(200, page.statusCode());
        List<String> links = Pattern.compile("href=\"([^\"]+)\"").matcher(page.body()).results()
                .map(m -> m.group(1).replace("&amp;", "&")).toList();
        assertTrue(links.containsAll(List.of("python", "users/7?field=name&field=email", "java", "java/py-sum?n=1&n=2",
                "flask/hello", "fastapi/hello")), "links: " + links);
        for (String link : links) {
            int status = get(uri("/" + link)).statusCode();
            assertNotEquals(404, status, link);
            if (!link.startsWith("flask/") && !link.startsWith("fastapi/")) {
                assertEquals(200, status, link);
            }
        }
    }

    @Test
    void aServletComputesInPythonThroughCdiInjection() throws Exception {
        var sum = get(uri("/java/py-sum?n=1&n=2&n=3.5"));
        assertEquals(200, sum.statusCode(), sum.body());
        assertEquals("6.5", sum.body());
        assertEquals("42", get(uri("/java/py-sum?n=40&n=2")).body(), "int in, int out");
        assertEquals("0", get(uri("/java/py-sum")).body(), "an empty list");
    }
}
