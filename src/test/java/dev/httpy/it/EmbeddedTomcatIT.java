package dev.httpy.it;

import java.net.URI;
import java.net.URL;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged WAR in an embedded Tomcat 11, driven by Arquillian, checked over real HTTP with
 * the real embedded CPython ({@link HttpContract}).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EmbeddedTomcatIT extends HttpContract {

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return ItWar.archive();
    }

    @Override
    protected URI base() {
        return URI.create(base.toString());
    }
}
