package dev.httpy.servlet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;

/**
 * The {@code <context-param>}s the {@link PythonLifecycleListener} starts Python with.
 *
 * @param paths      {@code python.path}: directories put first on sys.path (default /WEB-INF/python)
 * @param executable {@code python.executable}: a system or venv python, or null
 * @param library    {@code python.library}: a libpython3.X.so, or null
 * @param home       {@code python.home}: the prefix of {@code library}'s standard library, or null to find it
 * @param packages   {@code python.packages}: installed packages (default /WEB-INF/python-packages, where
 *                   the build step installs requirements.txt), or null when the default is absent
 * @param isolation  {@code python.interpreter}: {@code auto} (default), {@code isolated} or {@code main}
 * @param reload     {@code python.reload}: replace the app's interpreter when a file under {@code paths}
 *                   changes (default false)
 * @param maxRequests {@code python.max-requests}: replace the app's interpreter after this many
 *                   requests (default 0, never)
 * @param maxRequestsJitter {@code python.max-requests-jitter}: up to this many more, chosen at random
 *                   for each interpreter (default 0)
 * @param startTimeout {@code python.start-timeout}: how long the app's start-up may take in Python (its
 *                   imports, the interpreter choice, and each filter's import, init function and ASGI
 *                   lifespan startup, each filter counting from its own start); default 60 s, 0 none
 */
public record RuntimeSettings(List<Path> paths, Path executable, Path library, Path home, Path packages,
                              PythonRuntime.Isolation isolation, boolean reload, int maxRequests, int maxRequestsJitter,
                              Duration startTimeout) {
    static final String DEFAULT_PATH = "/WEB-INF/python";
    static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    static final String DEFAULT_PACKAGES = "/WEB-INF/python-packages";
    private static final Set<String> KNOWN = Set.of("python.path", "python.executable", "python.library", "python.home",
            "python.packages", "python.interpreter", "python.reload", "python.max-requests", "python.max-requests-jitter",
            "python.start-timeout",
            // Read by dev.httpy.cdi.PythonBeans, where CDI is present.
            "python.beans");
    /** These and the filter's, which {@link HttpyInitializer} hands to the filter it adds. */
    private static final Set<String> ACCEPTED = Stream.concat(KNOWN.stream(), FilterSettings.KNOWN.stream())
            .collect(Collectors.toUnmodifiableSet());

    public RuntimeSettings {
        paths = List.copyOf(paths);
    }

    /** Every setting's name, the web app's and its filters' ({@code python.path}, {@code python.workers}, ...). */
    public static Set<String> names() {
        return ACCEPTED;
    }

    /**
     * Reads the context-params; {@code realPath} maps a {@code /WEB-INF/...} path to the unpacked
     * web app (null when it is not unpacked).
     */
    public static RuntimeSettings read(Collection<String> names, Function<String, String> values,
                                       Function<String, String> realPath) {
        var params = new Params("context-param", names, values, ACCEPTED);
        String pathValue = params.string("python.path");
        List<Path> paths = new ArrayList<>();
        for (String entry : (pathValue == null ? DEFAULT_PATH : pathValue).split(",")) {
            if (!entry.isBlank()) {
                paths.add(directory("python.path", pathValue, DEFAULT_PATH, entry.trim(), realPath));
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("context-param python.path=" + pathValue
                    + " names no directory; give one or more, separated by commas");
        }
        String packagesValue = params.string("python.packages");
        Path packages = null;
        if (packagesValue != null) {
            packages = directory("python.packages", packagesValue, DEFAULT_PACKAGES, packagesValue.trim(), realPath);
        } else if (realPath.apply(DEFAULT_PACKAGES) instanceof String real && Files.isDirectory(Path.of(real))) {
            packages = Path.of(real);
        }
        Path executable = path(params, "python.executable");
        Path library = path(params, "python.library");
        Path home = path(params, "python.home");
        if (executable != null && library != null) {
            throw new IllegalArgumentException("context-param python.executable=" + executable + " and python.library="
                    + library + " are both set; give one: the executable finds its library");
        }
        if (home != null && library == null) {
            throw new IllegalArgumentException("context-param python.home=" + home
                    + " only applies with python.library; remove it or set python.library too");
        }
        String interpreter = params.string("python.interpreter");
        PythonRuntime.Isolation isolation;
        if (interpreter == null || interpreter.equalsIgnoreCase("auto")) {
            isolation = PythonRuntime.Isolation.AUTO;
        } else if (interpreter.equalsIgnoreCase("isolated")) {
            isolation = PythonRuntime.Isolation.ISOLATED;
        } else if (interpreter.equalsIgnoreCase("main")) {
            isolation = PythonRuntime.Isolation.MAIN;
        } else {
            throw params.bad("python.interpreter", interpreter, "give auto (the default: isolated unless the app"
                    + " imports an extension module that refuses sub-interpreters, then main), isolated (a"
                    + " sub-interpreter for this web app) or main (the main interpreter, shared by such apps)");
        }
        boolean reload = params.bool("python.reload");
        int maxRequests = params.count("python.max-requests", "requests after which the app gets a fresh interpreter");
        int jitter = params.count("python.max-requests-jitter", "the most requests added at random to python.max-requests");
        if (jitter > 0 && maxRequests == 0) {
            throw params.bad("python.max-requests-jitter", String.valueOf(jitter),
                    "it only applies with python.max-requests; set that too, or remove it");
        }
        if ((reload || maxRequests > 0) && isolation == PythonRuntime.Isolation.MAIN) {
            throw params.bad("python.interpreter", "main", (reload ? "python.reload" : "python.max-requests")
                    + " replaces the app's interpreter, which needs a sub-interpreter of its own: leave"
                    + " python.interpreter unset (auto) or set isolated");
        }
        Duration startTimeout = params.secondsOrNone("python.start-timeout", DEFAULT_START_TIMEOUT);
        return new RuntimeSettings(paths, executable, library, home, packages, isolation, reload, maxRequests, jitter,
                startTimeout);
    }

    /** Where the configured Python lives; the embedded 3.14 (unpacked under {@code cacheRoot}) by default. */
    public PythonInstallation installation(ClassLoader loader, Path cacheRoot) {
        if (executable != null) {
            return PythonInstallation.fromExecutable(executable);
        }
        if (library != null) {
            return PythonInstallation.fromLibrary(library, home);
        }
        return PythonInstallation.embedded(loader, cacheRoot);
    }

    /**
     * One directory of {@code name}'s {@code value}: absolute, or under {@code /WEB-INF/} of the
     * unpacked web app; it must exist.
     */
    private static Path directory(String name, String value, String byDefault, String raw,
                                  Function<String, String> realPath) {
        String shown = name + "=" + (value == null ? byDefault + " (the default)" : value);
        Path dir;
        if (raw.startsWith("/WEB-INF/")) {
            String real = realPath.apply(raw);
            if (real == null) {
                throw new IllegalArgumentException("context-param " + shown + ": " + raw + " has no directory on"
                        + " disk because the WAR is not unpacked; deploy it unpacked (Tomcat unpackWARs=true)"
                        + " or give an absolute directory");
            }
            dir = Path.of(real);
        } else if (raw.startsWith("/")) {
            dir = Path.of(raw);
        } else {
            throw new IllegalArgumentException("context-param " + shown + ": " + raw
                    + " is relative; give an absolute directory or one under /WEB-INF/");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("context-param " + shown + ": " + raw + " (" + dir
                    + ") is not a directory; create it" + (name.equals("python.path") ? " with your Python app" : "")
                    + " or fix " + name);
        }
        return dir;
    }

    private static Path path(Params params, String name) {
        String value = params.string(name);
        if (value == null) {
            return null;
        }
        if (!value.startsWith("/")) {
            throw params.bad(name, value, "give an absolute path");
        }
        return Path.of(value);
    }
}
