package dev.httpy.servlet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.httpy.runtime.PythonRuntime;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeSettingsTest {

    @TempDir
    Path webapp;

    /** Maps {@code /WEB-INF/...} into the temporary web app directory, as an unpacked WAR would. */
    private String unpacked(String path) {
        return webapp.resolve(path.substring(1)).toString();
    }

    private static String notUnpacked(String path) {
        return null;
    }

    private static Map<String, String> params(String... namesAndValues) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            params.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return params;
    }

    private static RuntimeSettings read(Map<String, String> params, Function<String, String> realPath) {
        return RuntimeSettings.read(params.keySet(), params::get, realPath);
    }

    private static String rejected(Map<String, String> params, Function<String, String> realPath) {
        return assertThrows(IllegalArgumentException.class, () -> read(params, realPath)).getMessage();
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected \"" + expected + "\" in: " + message);
    }

    private Path directory(String relative) throws IOException {
        return Files.createDirectories(webapp.resolve(relative));
    }

    @Test
    void defaultPathIsWebInfPythonResolvedThroughRealPath() throws IOException {
        // given
        Path python = directory("WEB-INF/python");
        // when
        RuntimeSettings settings = read(params(), this::unpacked);
        // then
        assertEquals(List.of(python), settings.paths());
        assertNull(settings.executable());
        assertNull(settings.library());
        assertNull(settings.home());
    }

    @Test
    void commaSeparatedPathWithSpacesKeepsItsOrder(@TempDir Path elsewhere) throws IOException {
        // given
        Path lib = directory("WEB-INF/lib-python");
        Path python = directory("WEB-INF/python");
        Path shared = Files.createDirectories(elsewhere.resolve("shared"));
        var params = params("python.path", " /WEB-INF/python , " + shared + ",/WEB-INF/lib-python ");
        // when
        RuntimeSettings settings = read(params, this::unpacked);
        // then
        assertEquals(List.of(python, shared, lib), settings.paths());
    }

    @Test
    void webInfPathInAWarThatIsNotUnpackedIsAnErrorSayingToUnpack() {
        // given / when
        String message = rejected(params(), RuntimeSettingsTest::notUnpacked);
        // then
        assertContains(message, "/WEB-INF/python");
        assertContains(message, "unpack");
    }

    @Test
    void relativePathEntryIsAnError() {
        // given / when
        String message = rejected(params("python.path", "python"), this::unpacked);
        // then
        assertContains(message, "python.path");
        assertContains(message, "relative");
    }

    @Test
    void nonExistentDirectoryIsAnErrorNamingIt() {
        // given
        Path missing = webapp.resolve("missing");
        // when
        String message = rejected(params("python.path", missing.toString()), this::unpacked);
        // then
        assertContains(message, missing.toString());
        assertContains(message, "not a directory");
    }

    @Test
    void regularFileOnThePathIsAnError() throws IOException {
        // given
        Path file = Files.writeString(webapp.resolve("app.py"), "");
        // when
        String message = rejected(params("python.path", file.toString()), this::unpacked);
        // then
        assertContains(message, file.toString());
    }

    @Test
    void executableAndLibraryTogetherIsAnErrorNamingBoth() throws IOException {
        // given
        directory("WEB-INF/python");
        var params = params("python.executable", "/usr/bin/python3",
                "python.library", "/usr/lib/libpython3.14.so");
        // when
        String message = rejected(params, this::unpacked);
        // then
        assertContains(message, "python.executable");
        assertContains(message, "python.library");
    }

    @Test
    void homeWithoutLibraryIsAnError() throws IOException {
        // given
        directory("WEB-INF/python");
        // when
        String message = rejected(params("python.home", "/usr"), this::unpacked);
        // then
        assertContains(message, "python.home");
        assertContains(message, "python.library");
    }

    @Test
    void libraryWithHomeIsRead() throws IOException {
        // given
        directory("WEB-INF/python");
        var params = params("python.library", "/opt/py/lib/libpython3.14.so", "python.home", "/opt/py");
        // when
        RuntimeSettings settings = read(params, this::unpacked);
        // then
        assertEquals(Path.of("/opt/py/lib/libpython3.14.so"), settings.library());
        assertEquals(Path.of("/opt/py"), settings.home());
        assertNull(settings.executable());
    }

    @Test
    void executableIsRead() throws IOException {
        // given
        directory("WEB-INF/python");
        // when
        RuntimeSettings settings = read(params("python.executable", "/srv/venv/bin/python"), this::unpacked);
        // then
        assertEquals(Path.of("/srv/venv/bin/python"), settings.executable());
    }

    @Test
    void relativeExecutableIsAnError() throws IOException {
        // given
        directory("WEB-INF/python");
        // when
        String message = rejected(params("python.executable", "venv/bin/python"), this::unpacked);
        // then
        assertContains(message, "python.executable");
        assertContains(message, "venv/bin/python");
    }

    @Test
    void misspeltPythonParameterIsAnErrorNamingIt() throws IOException {
        // given
        directory("WEB-INF/python");
        // when
        String message = rejected(params("python.pth", "/srv/app"), this::unpacked);
        // then
        assertContains(message, "python.pth");
    }

    @Test
    void theFiltersParametersAreAcceptedAsContextParamsForTheFilterHttpyAdds() throws IOException {
        // given
        Path python = directory("WEB-INF/python");
        // when
        RuntimeSettings settings = read(params("python.handler", "app:handle", "python.init", "app:routes",
                "python.workers", "2", "python.gil", "per-worker"), this::unpacked);
        // then
        assertEquals(List.of(python), settings.paths());
    }

    @Test
    void aMisspeltFilterParameterAsAContextParamIsStillAnErrorNamingIt() throws IOException {
        // given
        directory("WEB-INF/python");
        // when
        String message = rejected(params("python.handler", "app:handle", "python.handlr", "app:other"), this::unpacked);
        // then
        assertContains(message, "context-param python.handlr is not a parameter httpy knows");
    }

    @Test
    void parametersOutsideThePythonPrefixAreIgnored() throws IOException {
        // given
        Path python = directory("WEB-INF/python");
        // when
        RuntimeSettings settings = read(params("pythonpath", "relative", "path", "x"), this::unpacked);
        // then
        assertEquals(List.of(python), settings.paths());
    }

    @Test
    void installedPackagesAreWebInfPythonPackagesWhenTheBuildMadeIt() throws IOException {
        directory("WEB-INF/python");
        assertNull(read(params(), this::unpacked).packages(), "no packages directory, no site directory");
        Path packages = directory("WEB-INF/python-packages");
        assertEquals(packages, read(params(), this::unpacked).packages());
    }

    @Test
    void anExplicitPackagesDirectoryMustExist() throws IOException {
        directory("WEB-INF/python");
        Path elsewhere = directory("elsewhere");
        assertEquals(elsewhere, read(params("python.packages", elsewhere.toString()), this::unpacked).packages());
        String message = rejected(params("python.packages", "/WEB-INF/pkgs"), this::unpacked);
        assertContains(message, "python.packages=/WEB-INF/pkgs");
        assertContains(message, "is not a directory");
    }

    @Test
    void theInterpreterIsChosenAutomaticallyUnlessSet() throws IOException {
        directory("WEB-INF/python");
        assertEquals(PythonRuntime.Isolation.AUTO, read(params(), this::unpacked).isolation());
        assertEquals(PythonRuntime.Isolation.ISOLATED,
                read(params("python.interpreter", "isolated"), this::unpacked).isolation());
        assertEquals(PythonRuntime.Isolation.MAIN, read(params("python.interpreter", "Main"), this::unpacked).isolation());
        String message = rejected(params("python.interpreter", "sub"), this::unpacked);
        assertContains(message, "python.interpreter=sub");
        assertContains(message, "give auto");
    }

    @Test
    void reloadAndRecyclingAreOffUnlessAskedFor() throws IOException {
        directory("WEB-INF/python");
        var defaults = read(params(), this::unpacked);
        assertFalse(defaults.reload());
        assertEquals(0, defaults.maxRequests());
        var set = read(params("python.reload", "true", "python.max-requests", "1000", "python.max-requests-jitter", "50"),
                this::unpacked);
        assertTrue(set.reload());
        assertEquals(1000, set.maxRequests());
        assertEquals(50, set.maxRequestsJitter());
    }

    @Test
    void badReloadAndRecyclingValuesAreErrorsNamingThem() throws IOException {
        directory("WEB-INF/python");
        assertContains(rejected(params("python.reload", "yes"), this::unpacked), "python.reload=yes: give true or false");
        assertContains(rejected(params("python.max-requests", "-5"), this::unpacked), "python.max-requests=-5: give a whole number");
        assertContains(rejected(params("python.max-requests-jitter", "10"), this::unpacked),
                "only applies with python.max-requests");
        String main = rejected(params("python.reload", "true", "python.interpreter", "main"), this::unpacked);
        assertContains(main, "python.interpreter=main");
        assertContains(main, "python.reload replaces the app's interpreter");
    }
}
