package dev.httpy.spring;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** httpy.* properties as the WAR's python.* settings, bound from any property source. */
class HttpyPropertiesTest {

    private static HttpyProperties bind(Map<String, Object> properties) {
        var environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return HttpyProperties.of(environment);
    }

    @Test
    void eachPropertyIsThePythonSettingOfTheSameName() {
        var bound = bind(Map.of("httpy.handler", "app:handle", "httpy.max-requests-jitter", "5", "httpy.workers", "8",
                "other.thing", "x"));
        assertEquals(Map.of("python.handler", "app:handle", "python.max-requests-jitter", "5", "python.workers", "8"),
                bound.settings());
        assertEquals(Map.of("python.health", "/healthz", "python.drain-timeout", "30"),
                bind(Map.of("httpy.health", "/healthz", "httpy.drain-timeout", "30")).settings());
        assertEquals("classpath:/python/", bound.path());
        assertNull(bound.beans());
    }

    /** This JVM has httpy.test.* system properties and .ci/run an HTTPY_TEST_VENV_PYTHON variable: no settings. */
    @Test
    void onlyTheSettingsNamesAreRead() {
        var bound = bind(Map.of("httpy.handler", "app:handle", "httpy.test.venv.python", "/x", "httpy.home-page", "y"));
        assertEquals(Map.of("python.handler", "app:handle"), bound.settings());
    }

    @Test
    void pathAndBeansAreBootsOwn() {
        var bound = bind(Map.of("httpy.asgi", "api:app", "httpy.path", "/srv/py", "httpy.beans", "pricing, stock"));
        assertEquals(Map.of("python.asgi", "api:app"), bound.settings());
        assertEquals("/srv/py", bound.path());
        assertEquals("pricing, stock", bound.beans());
    }

    @Test
    void theWarsMessagesNameTheProperties() {
        assertEquals("property httpy.workers=many: give a whole number",
                HttpyProperties.named("context-param python.workers=many: give a whole number"));
        assertEquals("property httpy.timeout=0: give seconds (see httpy.max-body too)",
                HttpyProperties.named("init-param python.timeout=0: give seconds (see python.max-body too)"));
        // Actuator's reason while the application stops
        assertEquals("the web app is stopping: its Python requests in flight may finish (httpy.drain-timeout=20.0 s)"
                + " and new ones get 503", HttpyProperties.named("the web app is stopping: its Python requests in flight"
                + " may finish (python.drain-timeout=20.0 s) and new ones get 503"));
    }
}
