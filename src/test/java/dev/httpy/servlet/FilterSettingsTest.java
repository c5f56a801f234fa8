package dev.httpy.servlet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FilterSettingsTest {

    /** Reads settings from alternating init-param names and values, in that order. */
    private static FilterSettings read(String... namesAndValues) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            params.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return FilterSettings.read(params.keySet(), params::get);
    }

    private static String rejected(String... namesAndValues) {
        return assertThrows(IllegalArgumentException.class, () -> read(namesAndValues)).getMessage();
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected \"" + expected + "\" in: " + message);
    }

    @Test
    void onlyHandlerGivenUsesDefaultsForEverythingElse() {
        // given / when
        FilterSettings settings = read("python.handler", "app:handle");
        // then
        assertEquals("app:handle", settings.handler());
        assertNull(settings.init());
        assertEquals(4, settings.workers());
        assertEquals(200, settings.maxWorkers());
        assertEquals(1000, settings.queue());
        assertEquals(Duration.ofSeconds(30), settings.timeout());
        assertEquals(Duration.ofSeconds(20), settings.bodyTimeout());
        assertEquals(Duration.ofSeconds(20), settings.writeTimeout());
        assertEquals(10_485_760L, settings.maxBody());
        assertFalse(settings.debug());
        assertFalse(settings.gilPerWorker());
        assertNull(settings.health());
        assertEquals(Duration.ofSeconds(20), settings.drainTimeout());
    }

    @Test
    void missingHandlerIsAnErrorNamingIt() {
        // given / when
        String message = rejected("python.workers", "2");
        // then
        assertContains(message, "python.handler");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "python.handler  | app",
            "python.handler  | app:",
            "python.handler  | 1app:x",
            "python.init     | app",
            "python.workers  | 0",
            "python.workers  | -1",
            "python.workers  | many",
            "python.queue    | 0",
            "python.timeout  | 0",
            "python.timeout  | -5",
            "python.timeout  | abc",
            "python.timeout  | 100000",
            "python.timeout  | 0.0004",
            "python.timeout  | 0x1p3",
            "python.body-timeout | 0",
            "python.write-timeout | never",
            "python.max-workers | 0",
            "python.workers  | +4",
            "python.max-body | -1",
            "python.max-body | 10MB",
            "python.debug    | yes",
            "python.gil      | own",
            "python.health   | healthz",
            "python.health   | /health z",
            "python.health   | /healthz?full=1",
            "python.health   | /health%7Az",
            "python.drain-timeout | -1",
            "python.drain-timeout | 20s",
    })
    void badValueIsAnErrorNamingParameterAndValue(String name, String value) {
        // given
        Map<String, String> params = new LinkedHashMap<>();
        params.put("python.handler", "app:handle");
        params.put(name, value);
        // when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FilterSettings.read(params.keySet(), params::get));
        // then
        assertContains(e.getMessage(), name);
        assertContains(e.getMessage(), value);
    }

    @Test
    void misspeltPythonParameterIsAnErrorNamingIt() {
        // given / when
        String message = rejected("python.handler", "app:handle", "python.handlr", "app:other");
        // then
        assertContains(message, "python.handlr");
    }

    @Test
    void parametersOutsideThePythonPrefixAreIgnored() {
        // given / when
        FilterSettings settings = read("python.handler", "app:handle", "workers", "many", "debug", "yes",
                "pythonhandler", "x");
        // then
        assertEquals(4, settings.workers());
        assertFalse(settings.debug());
    }

    @Test
    void validNonDefaultValuesAreRead() {
        // given / when
        FilterSettings settings = read(
                "python.handler", "web.app:handle_request",
                "python.init", "web.app:routes",
                "python.workers", "8",
                "python.max-workers", "16",
                "python.queue", "50",
                "python.timeout", "2.5",
                "python.body-timeout", "7",
                "python.write-timeout", "9.5",
                "python.max-body", "0",
                "python.debug", "true",
                "python.gil", "per-worker",
                "python.health", "/ops/ready",
                "python.drain-timeout", "7.5");
        // then
        assertEquals(new FilterSettings("web.app:handle_request", null, null, java.util.List.of(), "web.app:routes", 8, 16, 50,
                Duration.ofMillis(2500), Duration.ofSeconds(7), Duration.ofMillis(9500), 0L, true, true,
                dev.httpy.dispatch.RequestContext.Settings.DEFAULT, null, "/ops/ready", Duration.ofMillis(7500)), settings);
    }

    @Test
    void maxWorkersBelowWorkersIsAnErrorNamingBoth() {
        // given / when
        String message = rejected("python.handler", "app:handle", "python.workers", "8", "python.max-workers", "4");
        // then
        assertContains(message, "python.max-workers=4");
        assertContains(message, "python.workers=8");
    }

    @Test
    void manyWarmWorkersRaiseTheDefaultCeilingToMatch() {
        // given / when
        FilterSettings settings = read("python.handler", "app:handle", "python.workers", "300");
        // then
        assertEquals(300, settings.maxWorkers());
    }

    @Test
    void valuesAreTrimmed() {
        // given / when
        FilterSettings settings = read("python.handler", "  app:handle\n", "python.workers", " 2 ");
        // then
        assertEquals("app:handle", settings.handler());
        assertEquals(2, settings.workers());
    }

    @Test
    void blankValueMeansTheDefault() {
        // given / when
        FilterSettings settings = read("python.handler", "app:handle", "python.timeout", "  ");
        // then
        assertEquals(Duration.ofSeconds(30), settings.timeout());
    }

    @Test
    void aWsgiAppIsMountedInsteadOfAHandlerWithRoutePatterns() {
        // given / when
        FilterSettings settings = read("python.wsgi", "flask_app:app", "python.routes", "/flask/*path, /api/:id");
        // then
        assertEquals("flask_app:app", settings.wsgi());
        assertEquals(null, settings.handler());
        assertEquals(java.util.List.of("/flask/*path", "/api/:id"), settings.routes());
    }

    @Test
    void handlerAndWsgiTogetherAreRefusedNamingBoth() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> read("python.handler", "app:h", "python.wsgi", "app:wsgi"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("python.handler=app:h")
                && e.getMessage().contains("python.wsgi=app:wsgi"), e.getMessage());
    }

    @Test
    void initAndRoutesTogetherAreRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> read("python.wsgi", "app:wsgi", "python.init", "app:init", "python.routes", "/x"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("python.routes=/x"), e.getMessage());
    }

    @Test
    void theRequestContextParamsAreReadAndCheckedAndDefaultToNoRolesAllAttributesAndAReadWriteSession() {
        var defaults = FilterSettings.read(List.of("python.handler"), Map.of("python.handler", "app:h")::get);
        assertEquals(dev.httpy.dispatch.RequestContext.Settings.DEFAULT, defaults.context());
        Map<String, String> set = Map.of("python.handler", "app:h", "python.roles", "admin, py-user",
                "python.attributes", "tenant,trace.id", "python.session", "create");
        var context = FilterSettings.read(set.keySet(), set::get).context();
        assertEquals(List.of("admin", "py-user"), context.roles());
        assertEquals(List.of("tenant", "trace.id"), context.attributes());
        assertEquals("create", context.session());
        Map<String, String> bad = Map.of("python.handler", "app:h", "python.session", "write");
        var error = assertThrows(IllegalArgumentException.class, () -> FilterSettings.read(bad.keySet(), bad::get));
        assertTrue(error.getMessage().contains("python.session=write: give one of read-write, create, off"), error.getMessage());
    }

    @Test
    void aBadHealthPathIsAnErrorSayingWhatAPathIs() {
        // given / when
        String message = rejected("python.handler", "app:handle", "python.health", "healthz");
        // then
        assertEquals("init-param python.health=healthz: give a path within the web app that starts with /, decoded,"
                + " without a query or ; parameters, e.g. /healthz", message);
    }

    @Test
    void aDrainTimeoutOfZeroStopsPythonAtOnceAndABadOneSaysSo() {
        // given / when
        FilterSettings none = read("python.handler", "app:handle", "python.drain-timeout", "0");
        String message = rejected("python.handler", "app:handle", "python.drain-timeout", "soon");
        // then
        assertEquals(Duration.ZERO, none.drainTimeout());
        assertEquals("init-param python.drain-timeout=soon: give seconds, at most 86400, or 0 to stop Python at once"
                + " (default 20)", message);
    }
}
