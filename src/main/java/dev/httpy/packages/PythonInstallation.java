package dev.httpy.packages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where a CPython lives: its shared library, its home (the prefix holding {@code lib/python3.X}),
 * the executable {@code sys.executable} should name, and extra site-packages (a venv's).
 */
public record PythonInstallation(Path library, Path home, Path executable, List<Path> sitePackages) {

    /** Where the embedded CPython sits inside {@code org.bytedeco:cpython:...:linux-x86_64}. */
    /** The Maven artifact that ships the embedded CPython. */
    public static final String EMBEDDED_ARTIFACT = "org.bytedeco:cpython:3.14.3-1.5.13:linux-x86_64";
    static final String EMBEDDED_ROOT = "org/bytedeco/cpython/linux-x86_64/";
    static final String EMBEDDED_LIBRARY = "libpython3.14.so.1.0";
    static final String EMBEDDED_EXECUTABLE = "bin/python3.14";

    public PythonInstallation {
        sitePackages = List.copyOf(sitePackages);
    }

    /** The {@code 3.X} of the library's file name ({@code libpython3.11.so}), or null when it has none. */
    public String version() {
        var m = java.util.regex.Pattern.compile("libpython(\\d+)\\.(\\d+)").matcher(library.getFileName().toString());
        return m.find() ? m.group(1) + "." + m.group(2) : null;
    }

    /**
     * The CPython 3.14 shipped in the bytedeco jar on the class path, unpacked once under
     * {@code cacheRoot} (a second deployment of the same jar reuses the unpacked copy).
     */
    public static PythonInstallation embedded(ClassLoader loader, Path cacheRoot) {
        URL marker = loader.getResource(EMBEDDED_ROOT + EMBEDDED_LIBRARY);
        if (marker == null) {
            throw new IllegalArgumentException("the embedded Python (" + EMBEDDED_ARTIFACT + ") is"
                    + " not in WEB-INF/lib; add that jar, or set python.executable or python.library to a Python 3.10-3.14");
        }
        try {
            Path home;
            if (marker.openConnection() instanceof JarURLConnection jar) {
                home = JarTrees.unpackOnce(jar.getJarFileURL(), cacheRoot, EMBEDDED_ROOT,
                        PythonInstallation::wanted);
            } else {
                home = Path.of(marker.toURI()).getParent();
            }
            return new PythonInstallation(home.resolve(EMBEDDED_LIBRARY), home, home.resolve(EMBEDDED_EXECUTABLE), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the embedded Python under " + cacheRoot, e);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * A system or venv Python named by its executable: asks it (once, in a child process) where its
     * libpython, home and site-packages are.
     */
    public static PythonInstallation fromExecutable(Path executable) {
        if (!Files.isExecutable(executable)) {
            throw new IllegalArgumentException("python.executable=" + executable + ": no such executable file");
        }
        Map<String, String> facts = ask(executable, """
                import site, sys, sysconfig
                v = sysconfig.get_config_var
                venv = sys.prefix != sys.base_prefix
                print("version", "%d.%d" % sys.version_info[:2], sep="=")
                print("shared", v("Py_ENABLE_SHARED") or 0, sep="=")
                print("gil_disabled", v("Py_GIL_DISABLED") or 0, sep="=")
                print("libdir", v("LIBDIR") or "", sep="=")
                print("multiarch", v("MULTIARCH") or "", sep="=")
                print("names", v("INSTSONAME") or "", v("LDLIBRARY") or "", sep="=")
                print("home", sys.base_prefix, sep="=")
                print("site", "\\0".join(site.getsitepackages() if venv else []), sep="=")
                """);
        String where = "python.executable=" + executable + " (Python " + facts.get("version") + ")";
        if (!facts.get("shared").equals("1")) {
            throw new IllegalArgumentException(where + " is built without a shared libpython (Py_ENABLE_SHARED=0);"
                    + " install its libpython3.X package or rebuild it with --enable-shared");
        }
        if (!facts.get("gil_disabled").equals("0")) {
            throw new IllegalArgumentException(where + " is a free-threaded build; httpy needs a build with the GIL");
        }
        Path libdir = Path.of(facts.get("libdir"));
        List<Path> candidates = new ArrayList<>();
        for (String name : facts.get("names").split("=")) {
            if (!name.isBlank()) {
                candidates.add(libdir.resolve(name));
                candidates.add(libdir.resolve(facts.get("multiarch")).resolve(name));
            }
        }
        Path library = candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() ->
                new IllegalArgumentException(where + ": its shared library is not at any of " + candidates
                        + "; install its libpython3.X package or set python.library to the file"));
        List<Path> site = Arrays.stream(facts.get("site").split("\0")).filter(s -> !s.isEmpty()).map(Path::of).toList();
        return new PythonInstallation(library, Path.of(facts.get("home")), executable, site);
    }

    /**
     * A libpython named directly; its home is found by walking up to the prefix that holds
     * {@code lib/python3.X/os.py}, unless given.
     */
    public static PythonInstallation fromLibrary(Path library, Path home) {
        if (!Files.isRegularFile(library)) {
            throw new IllegalArgumentException("python.library=" + library + ": no such file");
        }
        if (home != null) {
            return new PythonInstallation(library, home, null, List.of());
        }
        var version = library.getFileName().toString().replaceAll("^libpython(3\\.\\d+).*", "$1");
        for (Path dir = library.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("lib/python" + version + "/os.py"))) {
                return new PythonInstallation(library, dir, null, List.of());
            }
        }
        throw new IllegalArgumentException("python.library=" + library + ": no lib/python" + version
                + "/os.py in any directory above it; set python.home to the prefix holding the standard library");
    }

    /** Refuses a home whose standard library is missing: CPython would abort the JVM on it. */
    public void checkHome(String version) {
        String minor = version.replaceAll("^(3\\.\\d+).*", "$1");
        Path encodings = home.resolve("lib/python" + minor + "/encodings/__init__.py");
        if (!Files.isRegularFile(encodings)) {
            throw new IllegalArgumentException("Python home " + home + " has no " + encodings
                    + "; set python.home (or python.executable) to the Python " + minor + " that owns " + library);
        }
    }

    private static Map<String, String> ask(Path executable, String script) {
        try {
            Process process = new ProcessBuilder(executable.toString(), "-I", "-c", script)
                    .redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalArgumentException("python.executable=" + executable + " failed to describe itself: " + output);
            }
            Map<String, String> facts = new HashMap<>();
            for (String line : output.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    facts.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return facts;
        } catch (IOException e) {
            throw new IllegalArgumentException("python.executable=" + executable + " cannot be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + executable + " about itself", e);
        }
    }

    private static boolean wanted(String relative) {
        if (relative.equals(EMBEDDED_EXECUTABLE)) {
            return true;
        }
        return !(relative.startsWith("include/") || relative.startsWith("share/") || relative.startsWith("bin/")
                || relative.startsWith("lib/python3.14/test/") || relative.startsWith("lib/python3.14/idlelib/")
                || relative.startsWith("lib/python3.14/tkinter/") || relative.startsWith("lib/python3.14/turtledemo/")
                || relative.startsWith("lib/cmake/") || relative.startsWith("lib/pkgconfig/")
                || relative.equals("libjnipython.so"));
    }
}
