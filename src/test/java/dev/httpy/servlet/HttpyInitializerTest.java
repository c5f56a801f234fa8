package dev.httpy.servlet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link HttpyInitializer} registers, from a web app's context-params and the filters web.xml declares. */
class HttpyInitializerTest {
    private static final String DISPATCH_FILTER = PythonDispatchFilter.class.getName();

    /** Alternating names and values, in that order. */
    private static Map<String, String> map(String... namesAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    private static String rejected(Map<String, String> contextParams, Map<String, String> filters) {
        return assertThrows(IllegalArgumentException.class, () -> HttpyInitializer.decide(contextParams, filters))
                .getMessage();
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected \"" + expected + "\" in: " + message);
    }

    @Test
    void aHandlerContextParamAddsTheFilterWithTheFiltersContextParamsAsItsInitParams() {
        // given
        var params = map("python.path", "/WEB-INF/python", "python.handler", "app:handle", "python.init", "app:routes",
                "python.workers", "2", "org.example.theme", "dark");
        // when
        var decision = HttpyInitializer.decide(params, map());
        // then
        var add = assertInstanceOf(HttpyInitializer.Decision.AddFilter.class, decision);
        assertEquals(map("python.handler", "app:handle", "python.init", "app:routes", "python.workers", "2"),
                add.initParams());
    }

    @ParameterizedTest
    @ValueSource(strings = {"python.wsgi", "python.asgi"})
    void aWsgiOrAsgiContextParamAddsTheFilterToo(String param) {
        // given / when
        var decision = HttpyInitializer.decide(map(param, "site:app", "python.routes", "/site/*path"), map());
        // then
        var add = assertInstanceOf(HttpyInitializer.Decision.AddFilter.class, decision);
        assertEquals(map(param, "site:app", "python.routes", "/site/*path"), add.initParams());
    }

    @Test
    void otherFiltersInWebXmlDoNotStopIt() {
        // given
        var filters = map("encoding", "org.apache.catalina.filters.SetCharacterEncodingFilter");
        // when
        var decision = HttpyInitializer.decide(map("python.handler", "app:handle"), filters);
        // then
        assertInstanceOf(HttpyInitializer.Decision.AddFilter.class, decision);
    }

    @Test
    void withoutAContextParamNamingTheAppNothingIsAdded() {
        // given: the example WAR, which declares everything in web.xml
        var params = map("python.path", "/WEB-INF/python", "org.jboss.weld.context.ignore.guard", "false");
        // when
        var decision = HttpyInitializer.decide(params, map("python", DISPATCH_FILTER));
        // then
        assertEquals(new HttpyInitializer.Decision.Nothing(Set.of()), decision);
    }

    @Test
    void aBlankHandlerContextParamDoesNotNameTheApp() {
        // given / when
        var decision = HttpyInitializer.decide(map("python.handler", " "), map());
        // then
        assertInstanceOf(HttpyInitializer.Decision.Nothing.class, decision);
    }

    @Test
    void filterContextParamsWithoutOneNamingTheAppAreReportedUnused() {
        // given / when
        var decision = HttpyInitializer.decide(map("python.workers", "8", "python.timeout", "5"), map());
        // then
        assertEquals(new HttpyInitializer.Decision.Nothing(Set.of("python.timeout", "python.workers")), decision);
    }

    @Test
    void aPythonDispatchFilterDeclaredInWebXmlWinsAndTheContextParamsAreUnused() {
        // given
        var params = map("python.handler", "app:handle", "python.init", "app:routes", "python.path", "/WEB-INF/python");
        var filters = map("encoding", "org.example.Encoding", "flask", DISPATCH_FILTER);
        // when
        var decision = HttpyInitializer.decide(params, filters);
        // then
        assertEquals(new HttpyInitializer.Decision.DeclaredFilters(Set.of("flask"), Set.of("python.handler", "python.init")),
                decision);
    }

    @Test
    void anotherFilterNamedPythonIsAnErrorNamingIt() {
        // given / when
        String message = rejected(map("python.handler", "app:handle"), map("python", "org.example.PythonFilter"));
        // then
        assertContains(message, "filter named python (org.example.PythonFilter)");
        assertContains(message, "rename that filter");
    }

    @Test
    void aBadFilterContextParamIsAnErrorCallingItAContextParam() {
        // given / when
        String message = rejected(map("python.handler", "app:handle", "python.workers", "many"), map());
        // then
        assertContains(message, "context-param python.workers=many: give a whole number of at least 1");
    }

    @Test
    void twoContextParamsNamingTheAppAreAnError() {
        // given / when
        String message = rejected(map("python.handler", "app:handle", "python.wsgi", "site:app"), map());
        // then
        assertContains(message, "context-params python.handler=app:handle and python.wsgi=site:app are set together");
    }
}
