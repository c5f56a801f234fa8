package dev.httpy.spring;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.JarEntry;

import dev.httpy.packages.JarTrees;

/**
 * A {@code classpath:} entry of {@code httpy.path} as a directory Python can import from: the
 * directory itself when the class path has it as one ({@code mvn spring-boot:run}, an IDE), or,
 * inside a jar (a fat jar's {@code BOOT-INF/classes}), its files copied once under
 * {@code java.io.tmpdir} into a directory named by their content, so a restart reuses it and a new
 * build gets a new one; never beside the jar, which may be read-only.
 */
final class ClasspathPython {
    private ClasspathPython() {
    }

    static Path directory(ClassLoader loader, String entry, Path cacheRoot) {
        return directory(loader, "httpy.path", entry, cacheRoot);
    }

    /** {@link #directory(ClassLoader, String, Path)} for the property {@code property}, which errors name. */
    static Path directory(ClassLoader loader, String property, String entry, Path cacheRoot) {
        String resource = entry.substring("classpath:".length()).replaceAll("^/+", "");
        if (!resource.endsWith("/")) {
            resource += "/";
        }
        URL url = loader.getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("property " + property + "=" + entry + ": no " + resource
                    + " on the class path; put it in src/main/resources/" + resource + " or set " + property
                    + " to its directory");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            if (!(url.openConnection() instanceof JarURLConnection jar)) {
                throw new IllegalArgumentException("property " + property + "=" + entry + ": " + url + " is neither a"
                        + " directory nor in a jar; set " + property + " to a directory");
            }
            return unpackOnce(jar, cacheRoot);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(url.toString(), e);
        }
    }

    private static Path unpackOnce(JarURLConnection connection, Path cacheRoot) throws IOException {
        connection.setUseCaches(false);
        try (var jar = connection.getJarFile()) {
            String prefix = connection.getEntryName();
            var entries = jar.stream().filter(e -> e.getName().startsWith(prefix) && !e.isDirectory()
                    && !e.getName().contains("__pycache__")).sorted(java.util.Comparator.comparing(JarEntry::getName)).toList();
            MessageDigest digest = sha256();
            for (JarEntry e : entries) {
                digest.update((e.getName() + "\0" + e.getSize() + "\0" + e.getCrc() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            Path home = cacheRoot.toAbsolutePath().resolve("httpy-python-app-" + HexFormat.of().formatHex(digest.digest(), 0, 8));
            if (Files.isDirectory(home)) {
                return home;
            }
            Path staging = JarTrees.staging(home);
            for (JarEntry e : entries) {
                Path target = staging.resolve(e.getName().substring(prefix.length())).normalize();
                if (!target.startsWith(staging)) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = jar.getInputStream(e)) {
                    Files.copy(in, target);
                }
            }
            return JarTrees.publish(staging, home);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
