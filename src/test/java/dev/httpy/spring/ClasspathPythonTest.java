package dev.httpy.spring;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code classpath:} entry of httpy.path inside a jar becomes a directory under the cache root,
 * named by its content: unpacked once, whole (no half-written tree is left beside it), reused by
 * a restart, and a new one for a new build.
 */
class ClasspathPythonTest {
    @TempDir
    Path dir;

    /** A jar laid out as a Spring Boot fat jar's classes, with its directory entries, as the repackager writes them. */
    private Path jar(String name, String appSource) throws IOException {
        Path jar = dir.resolve(name);
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String[] entry : new String[][] {{"BOOT-INF/", null}, {"BOOT-INF/classes/", null},
                    {"BOOT-INF/classes/python/", null}, {"BOOT-INF/classes/python/app.py", appSource},
                    {"BOOT-INF/classes/python/pkg/__init__.py", ""},
                    {"BOOT-INF/classes/python/__pycache__/app.cpython-313.pyc", "stale"},
                    {"BOOT-INF/classes/other.txt", "not python"}}) {
                out.putNextEntry(new JarEntry(entry[0]));
                if (entry[1] != null) {
                    out.write(entry[1].getBytes(StandardCharsets.UTF_8));
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Path directory(Path jar, Path cacheRoot) throws IOException {
        try (var loader = new URLClassLoader(new URL[] {new URL("jar:" + jar.toUri() + "!/BOOT-INF/classes/")}, null)) {
            return ClasspathPython.directory(loader, "classpath:/python/", cacheRoot);
        }
    }

    @Test
    void aDirectoryInAJarIsUnpackedOnceUnderTheCacheRootAndReused() throws Exception {
        Path cache = dir.resolve("cache");
        Path jar = jar("app.jar", "def main(): pass\n");

        Path home = directory(jar, cache);

        assertEquals(cache.toAbsolutePath(), home.getParent());
        assertEquals("def main(): pass\n", Files.readString(home.resolve("app.py")));
        assertTrue(Files.exists(home.resolve("pkg/__init__.py")));
        assertFalse(Files.exists(home.resolve("__pycache__")), "bytecode from the build is left out");
        assertFalse(Files.exists(home.resolve("other.txt")));
        try (var left = Files.list(cache)) {
            assertEquals(1, left.count(), "nothing but the tree under the cache root");
        }
        Files.writeString(home.resolve("marker"), "kept");
        assertEquals(home, directory(jar, cache), "a restart reuses it");
        assertTrue(Files.exists(home.resolve("marker")));
    }

    @Test
    void aNewBuildGetsANewDirectory() throws Exception {
        Path cache = dir.resolve("cache");
        Path first = directory(jar("one.jar", "A = 1\n"), cache);
        Path second = directory(jar("two.jar", "A = 2\n"), cache);
        assertNotEquals(first, second);
        assertEquals("A = 2\n", Files.readString(second.resolve("app.py")));
    }
}
