package dev.httpy.it;

import java.io.File;
import java.net.URI;
import java.net.URL;

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

    @Test
    void aServletComputesInPythonThroughCdiInjection() throws Exception {
        var sum = get(uri("/java/py-sum?n=1&n=2&n=3.5"));
        assertEquals(200, sum.statusCode(), sum.body());
        assertEquals("6.5", sum.body());
        assertEquals("42", get(uri("/java/py-sum?n=40&n=2")).body(), "int in, int out");
        assertEquals("0", get(uri("/java/py-sum")).body(), "an empty list");
    }
}
