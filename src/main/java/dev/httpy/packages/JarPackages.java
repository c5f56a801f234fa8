package dev.httpy.packages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import dev.httpy.os.Libc;

/**
 * Python packages that jars on a web app's class path ship in bytedeco's layout
 * ({@code org/bytedeco/<name>/<platform>/python/}: {@code org.bytedeco:numpy}, {@code scipy}),
 * with the native libraries their extension modules need, which other jars of that layout ship
 * ({@code org.bytedeco:openblas}).
 *
 * <p>{@link #load} unpacks each such jar once (as the embedded CPython is unpacked), reads which
 * shared libraries the packages' extension modules need, and loads those the jars provide,
 * dependencies first, so that the dynamic linker finds them already loaded when Python imports the
 * module. Java bindings in the same jars ({@code libjni*.so}) are left alone, and so is the
 * embedded CPython's own jar.
 *
 * @param pythonDirs the unpacked {@code python/} directories, for {@code sys.path}
 * @param libraries  the native libraries loaded, in load order
 * @param missing    what the packages' extension modules need that neither a jar nor the system
 *                   provides, as "soname (needed by package from jar)"
 */
public record JarPackages(List<Path> pythonDirs, List<Path> libraries, List<String> missing) {
    /** bytedeco's name for this machine, as in {@code org/bytedeco/numpy/linux-x86_64/}. */
    static final String PLATFORM = "linux-" + switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> "x86_64";
        case "aarch64" -> "arm64";
        default -> System.getProperty("os.arch");
    };
    private static final Pattern ENTRY = Pattern.compile("org/bytedeco/([^/]+)/" + Pattern.quote(PLATFORM) + "/(.*)");
    private static final Pattern NATIVE = Pattern.compile("(lib/)?(lib(?!jni)[^/]*\\.so(\\.\\d+)*)");

    public JarPackages {
        pythonDirs = List.copyOf(pythonDirs);
        libraries = List.copyOf(libraries);
        missing = List.copyOf(missing);
    }

    /** Finds, unpacks (under {@code cacheRoot}) and readies the packages in {@code jars}. */
    public static JarPackages load(List<Path> jars, Path cacheRoot) {
        return load(jars, List.of(), cacheRoot);
    }

    /**
     * {@link #load(List, Path)} for the jar files {@code jars} and for {@code nestedJars}, jars
     * inside another given by URL (a Spring Boot fat jar's {@code BOOT-INF/lib/}): those are read
     * as streams, each once, into a directory under {@code cacheRoot} named by the jar and its size.
     */
    public static JarPackages load(List<Path> jars, List<URL> nestedJars, Path cacheRoot) {
        List<Path> pythonDirs = new ArrayList<>();
        Map<String, Path> provided = new LinkedHashMap<>();
        Map<Path, String> origin = new LinkedHashMap<>();
        try {
            Map<Path, String> homes = new LinkedHashMap<>();
            for (Path jar : jars) {
                for (String name : shippedNames(jar)) {
                    String prefix = "org/bytedeco/" + name + "/" + PLATFORM + "/";
                    homes.put(JarTrees.unpackOnce(jar, cacheRoot, prefix,
                            relative -> relative.startsWith("python/") || NATIVE.matcher(relative).matches()),
                            name + " from " + jar.getFileName());
                }
            }
            for (URL jar : nestedJars) {
                // All of a jar's trees in one pass over its stream: org/bytedeco/<name>/<platform>/...
                Path root = JarTrees.unpackOnce(jar, cacheRoot.resolve("httpy-nested"), "org/bytedeco/",
                        relative -> shippedName("org/bytedeco/" + relative) != null);
                try (var names = Files.list(root)) {
                    for (Path name : names.sorted().toList()) {
                        if (Files.isDirectory(name.resolve(PLATFORM))) {
                            homes.put(name.resolve(PLATFORM), name.getFileName() + " from " + JarTrees.fileName(jar));
                        }
                    }
                }
            }
            for (var entry : homes.entrySet()) {
                Path home = entry.getKey();
                if (Files.isDirectory(home.resolve("python"))) {
                    pythonDirs.add(home.resolve("python"));
                    origin.put(home.resolve("python"), entry.getValue());
                }
                for (Path library : nativeLibraries(home)) {
                    provided.putIfAbsent(library.getFileName().toString(), library);
                }
            }
            Set<Path> loaded = new LinkedHashSet<>();
            Set<String> missing = new TreeSet<>();
            Set<String> onSystem = new HashSet<>();
            for (Path dir : pythonDirs) {
                for (Path module : extensionModules(dir)) {
                    for (String soname : ElfNeeds.of(module)) {
                        if (provided.containsKey(soname)) {
                            loadWithNeeds(provided.get(soname), provided, loaded, new LinkedHashSet<>());
                        } else if (!onSystem.contains(soname) && !systemHas(soname, onSystem)) {
                            missing.add(soname + " (needed by " + origin.get(dir) + ")");
                        }
                    }
                }
            }
            return new JarPackages(pythonDirs, List.copyOf(loaded), List.copyOf(missing));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the Python packages of the web app's jars under " + cacheRoot, e);
        }
    }

    /**
     * {@link #load} for the class path's jars named for this platform ({@link #platformJarsOf}):
     * where no {@code WEB-INF/lib} lists a web app's jars, as in a Spring Boot application.
     */
    public static JarPackages loadFromClassPath(ClassLoader loader, Path cacheRoot) {
        List<Path> files = new ArrayList<>();
        List<URL> nested = new ArrayList<>();
        for (URL url : platformJarsOf(loader)) {
            try {
                if ("file".equals(url.getProtocol())) {
                    files.add(Path.of(url.toURI()));
                } else {
                    nested.add(url);
                }
            } catch (java.net.URISyntaxException | IllegalArgumentException notAFile) {
                nested.add(url);
            }
        }
        return load(files, nested, cacheRoot);
    }

    /**
     * The jars on {@code loader}'s class path (its URL class loaders', then {@code java.class.path})
     * named for this platform as bytedeco's are ({@code numpy-2.4.2-1.5.13-linux-x86_64.jar}), save
     * the embedded CPython's: where no {@code WEB-INF/lib} lists a web app's jars, as in a Spring
     * Boot application. Files as {@code file:} URLs; jars inside a fat jar as the URLs that read them.
     */
    public static List<URL> platformJarsOf(ClassLoader loader) {
        Set<URL> found = new LinkedHashSet<>();
        for (ClassLoader at = loader; at != null; at = at.getParent()) {
            if (at instanceof java.net.URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    found.add(jarFileUrl(url));
                }
            }
        }
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                try {
                    found.add(Path.of(entry).toAbsolutePath().toUri().toURL());
                } catch (java.net.MalformedURLException | RuntimeException notAPath) {
                    // not a file name; nothing of ours
                }
            }
        }
        return found.stream().filter(url -> {
            String name = JarTrees.fileName(url);
            return name.endsWith("-" + PLATFORM + ".jar") && !name.startsWith("cpython-");
        }).toList();
    }

    /** {@code jar:nested:/app.jar/!BOOT-INF/lib/x.jar!/} as the URL of the jar itself, whose stream is the jar. */
    private static URL jarFileUrl(URL url) {
        if ("jar".equals(url.getProtocol()) && url.getPath().endsWith("!/")) {
            try {
                return java.net.URI.create(url.getPath().substring(0, url.getPath().length() - 2)).toURL();
            } catch (java.net.MalformedURLException | IllegalArgumentException e) {
                return url;
            }
        }
        return url;
    }

    /** The {@code <name>}s under {@code org/bytedeco/} that {@code jar} ships a Python tree or native libraries for. */
    private static Set<String> shippedNames(Path jar) throws IOException {
        Set<String> names = new TreeSet<>();
        try (var file = new JarFile(jar.toFile())) {
            for (var entries = file.entries(); entries.hasMoreElements(); ) {
                String name = shippedName(entries.nextElement().getName());
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /**
     * The {@code <name>} of a jar entry {@code org/bytedeco/<name>/<platform>/...} that is part of a
     * Python tree or a native library httpy loads; null for any other entry, the embedded CPython's
     * included.
     */
    private static String shippedName(String entry) {
        var matcher = ENTRY.matcher(entry);
        return matcher.matches() && !matcher.group(1).equals("cpython")
                && (matcher.group(2).startsWith("python/") || NATIVE.matcher(matcher.group(2)).matches())
                ? matcher.group(1) : null;
    }

    private static List<Path> nativeLibraries(Path home) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path dir : List.of(home, home.resolve("lib"))) {
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    files.filter(f -> NATIVE.matcher(f.getFileName().toString()).matches()).sorted().forEach(found::add);
                }
            }
        }
        return found;
    }

    private static List<Path> extensionModules(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".so") && Files.isRegularFile(f)).sorted().toList();
        }
    }

    /**
     * Loads {@code library} after the libraries it needs that the jars provide; not when the
     * process already has a library of its name (the system's libgcc_s, which openblas's jar ships
     * too), which the dynamic linker then uses, as it would for the module.
     */
    private static void loadWithNeeds(Path library, Map<String, Path> provided, Set<Path> loaded, Set<Path> visiting)
            throws IOException {
        if (loaded.contains(library) || !visiting.add(library) || Libc.isLoaded(library.getFileName().toString())) {
            return;
        }
        for (String soname : ElfNeeds.of(library)) {
            if (provided.containsKey(soname)) {
                loadWithNeeds(provided.get(soname), provided, loaded, visiting);
            }
        }
        Libc.dlopen(library, Libc.RTLD_NOW);
        loaded.add(library);
    }

    /** Whether the dynamic linker finds {@code soname} on the system (loading it, as the module's import would). */
    private static boolean systemHas(String soname, Set<String> onSystem) {
        try {
            Libc.dlopen(Path.of(soname), Libc.RTLD_NOW);
            return onSystem.add(soname);
        } catch (IllegalArgumentException notFound) {
            return false;
        }
    }
}
