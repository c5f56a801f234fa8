package dev.httpy.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.jar.JarFile;

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
        Path home = cacheRoot.toAbsolutePath().resolve("httpy-" + jarFile.getFileName().toString().replace(".jar", "")
                + "-" + Files.size(jarFile));
        if (Files.isDirectory(home)) {
            return home;
        }
        Files.createDirectories(home.getParent());
        Path staging = Files.createTempDirectory(home.getParent(), home.getFileName() + ".unpacking-");
        try (var jar = new JarFile(jarFile.toFile())) {
            for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                var entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() || !name.startsWith(prefix) || !wanted.test(name.substring(prefix.length()))) {
                    continue;
                }
                Path target = staging.resolve(name.substring(prefix.length())).normalize();
                if (!target.startsWith(staging)) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                if (name.endsWith(".so") || name.contains(".so.") || name.contains("/bin/")) {
                    target.toFile().setExecutable(true);
                }
            }
        }
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
