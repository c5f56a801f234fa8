package dev.httpy.packages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;

/**
 * Directory trees shipped inside jars (the embedded CPython, Python packages in bytedeco's
 * layout), unpacked once per jar file and shared by every deployment that ships the same jar.
 */
public final class JarTrees {
    private JarTrees() {
    }

    /**
     * The directory under {@code cacheRoot} holding the entries of {@code jarFile} below
     * {@code prefix} that {@code wanted} accepts (given their names relative to the prefix),
     * unpacked now unless an earlier deployment did. Named by the jar's file name and size, and
     * written to a temporary directory first, so a half-written tree is never used.
     */
    static Path unpackOnce(Path jarFile, Path cacheRoot, String prefix, Predicate<String> wanted) throws IOException {
        Path home = home(cacheRoot, jarFile.getFileName().toString(), Files.size(jarFile));
        if (Files.isDirectory(home)) {
            return home;
        }
        Path staging = staging(home);
        try (var jar = new JarFile(jarFile.toFile())) {
            for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                var entry = entries.nextElement();
                if (!entry.isDirectory()) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        unpackEntry(staging, entry.getName(), in, prefix, wanted);
                    }
                }
            }
        }
        return publish(staging, home);
    }

    /**
     * {@link #unpackOnce(Path, Path, String, Predicate)} for a jar given by URL: a file, or a jar
     * inside another (a Spring Boot fat jar's {@code BOOT-INF/lib/}, whose {@code nested:} URLs name
     * no file), which is read as a stream, so nothing is ever written beside the outer jar.
     */
    static Path unpackOnce(URL jarFile, Path cacheRoot, String prefix, Predicate<String> wanted) throws IOException {
        if ("file".equals(jarFile.getProtocol())) {
            try {
                return unpackOnce(Path.of(jarFile.toURI()), cacheRoot, prefix, wanted);
            } catch (URISyntaxException e) {
                throw new IOException("not a file: " + jarFile, e);
            }
        }
        var connection = jarFile.openConnection();
        Path home = home(cacheRoot, fileName(jarFile), connection.getContentLengthLong());
        if (Files.isDirectory(home)) {
            return home;
        }
        Path staging = staging(home);
        try (var in = new JarInputStream(connection.getInputStream())) {
            for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    unpackEntry(staging, entry.getName(), in, prefix, wanted);
                }
            }
        }
        return publish(staging, home);
    }

    /** The file name of the jar {@code url} names, inside another jar or not: {@code numpy-2.4.2-1.5.13-linux-x86_64.jar}. */
    static String fileName(URL url) {
        String path = url.getPath().replaceAll("!?/*$", "");
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Where a jar's tree goes: named by the jar's file name and size. */
    private static Path home(Path cacheRoot, String jarName, long size) {
        return cacheRoot.toAbsolutePath().resolve("httpy-" + jarName.replace(".jar", "") + "-" + size);
    }

    /**
     * A new empty directory beside {@code home} (its parent made if missing) to build a tree in,
     * which {@link #publish} then moves to {@code home}: so a half-written tree is never seen there.
     */
    public static Path staging(Path home) throws IOException {
        Files.createDirectories(home.getParent());
        return Files.createTempDirectory(home.getParent(), home.getFileName() + ".unpacking-");
    }

    private static void unpackEntry(Path staging, String name, InputStream in, String prefix, Predicate<String> wanted)
            throws IOException {
        if (!name.startsWith(prefix) || !wanted.test(name.substring(prefix.length()))) {
            return;
        }
        Path target = staging.resolve(name.substring(prefix.length())).normalize();
        if (!target.startsWith(staging)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Files.copy(in, target);
        if (name.endsWith(".so") || name.contains(".so.") || name.contains("/bin/")) {
            target.toFile().setExecutable(true);
        }
    }

    /**
     * Moves a tree built in {@code staging} (from {@link #staging}) to {@code home} in one step,
     * and returns {@code home}. When another deployment put a tree there first, that one wins and
     * {@code staging} is deleted.
     */
    public static Path publish(Path staging, Path home) throws IOException {
        try {
            Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            // Another deployment unpacked the same jar first; use its copy.
            deleteTree(staging);
            if (!Files.isDirectory(home)) {
                throw raced;
            }
        }
        return home;
    }

    /** Deletes a directory and everything in it; nothing when it does not exist. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
