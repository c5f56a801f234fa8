package dev.httpy.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** {@link WsgiConformanceContract} on the embedded CPython 3.14. */
class WsgiConformanceIT extends WsgiConformanceContract {
    @Deployment(testable = false)
    static WebArchive deployment() {
        return ConformanceWars.of("wsgi", "conformance.py", null);
    }
}
