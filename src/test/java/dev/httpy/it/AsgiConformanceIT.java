package dev.httpy.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** {@link AsgiConformanceContract} on the embedded CPython 3.14. */
class AsgiConformanceIT extends AsgiConformanceContract {
    @Deployment(testable = false)
    static WebArchive deployment() {
        return ConformanceWars.of("asgi", "asgi_conformance.py", null);
    }
}
