package dev.httpy.packages;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JarTrees}: a jar's tree unpacked once, from a file or from a jar inside another (a fat jar's BOOT-INF/lib). */
class JarTreesTest {

    private static byte[] jar(Map<String, String> entries) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new JarOutputStream(bytes)) {
            for (var entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void write(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream stream = Files.newOutputStream(file); var out = new JarOutputStream(stream)) {
            for (var entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
    }

    private static final Map<String, String> PYTHON = Map.of(
            "org/x/python/lib/os.py", "# os", "org/x/python/bin/python3", "#!", "org/x/other.txt", "not under the prefix");

    @Test
    void aJarInsideAFatJarIsReadAsAStreamAndUnpackedOnce(@TempDir Path dir) throws Exception {
        Path fat = dir.resolve("app.jar");
        write(fat, Map.of("BOOT-INF/lib/cpython-9.jar", jar(PYTHON)));
        var nested = new URL("jar:" + fat.toUri() + "!/BOOT-INF/lib/cpython-9.jar");
        Path cache = dir.resolve("cache");
        Path home = JarTrees.unpackOnce(nested, cache, "org/x/python/", name -> true);
        assertEquals("# os", Files.readString(home.resolve("lib/os.py")));
        assertTrue(Files.isExecutable(home.resolve("bin/python3")));
        assertFalse(Files.exists(home.resolve("other.txt")));
        assertTrue(home.getFileName().toString().startsWith("httpy-cpython-9-"), home.toString());
        // Nothing beside the fat jar; a second start reuses the tree.
        try (var beside = Files.list(dir)) {
            assertEquals(2, beside.count());
        }
        Files.writeString(home.resolve("lib/marker"), "kept");
        assertEquals(home, JarTrees.unpackOnce(nested, cache, "org/x/python/", name -> true));
        assertTrue(Files.exists(home.resolve("lib/marker")));
    }

    @Test
    void aFileUrlIsTheFile(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("cpython-9.jar");
        Files.write(plain, jar(PYTHON));
        Path home = JarTrees.unpackOnce(plain.toUri().toURL(), dir.resolve("cache"), "org/x/python/", name -> true);
        assertEquals(home, JarTrees.unpackOnce(plain, dir.resolve("cache"), "org/x/python/", name -> true));
        assertEquals("# os", Files.readString(home.resolve("lib/os.py")));
    }
}
