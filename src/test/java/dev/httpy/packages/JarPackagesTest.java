package dev.httpy.packages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.httpy.os.Libc;
import dev.httpy.python.TestJars;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * numpy and openblas from Maven Central, as a web app ships them in WEB-INF/lib: found, unpacked
 * once, and openblas's libraries loaded in the order they need each other.
 */
class JarPackagesTest {
    @Test
    void numpyAloneNamesTheLibraryNoJarProvidesThenOpenblasProvidesIt(@org.junit.jupiter.api.io.TempDir Path cache)
            throws Exception {
        boolean processHasLibgcc = Libc.isLoaded("libgcc_s.so.1");
        // Alone first: once openblas is loaded, the dynamic linker would find it by name.
        var alone = JarPackages.load(List.of(TestJars.named("numpy-2.4.2")), cache);
        assertEquals(List.of("libopenblas.so.0 (needed by numpy from numpy-2.4.2-1.5.13-linux-x86_64.jar)"), alone.missing());
        assertEquals(List.of(), alone.libraries());
        Path numpy = alone.pythonDirs().getFirst();
        assertTrue(Files.isRegularFile(numpy.resolve("numpy/__init__.py")), numpy + " has no numpy package");
        assertTrue(Files.isExecutable(numpy.resolve("numpy/_core/_multiarray_umath.cpython-314-x86_64-linux-gnu.so")));

        var both = JarPackages.load(List.of(TestJars.named("numpy-2.4.2"), TestJars.named("openblas-0.3.31"), TestJars.named("junit-jupiter-api")), cache);
        assertEquals(List.of(numpy), both.pythonDirs(), "one Python tree, unpacked once");
        // openblas needs libgfortran, which needs libquadmath; the jar's libgcc_s is the JVM's already.
        var loaded = both.libraries().stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0"),
                loaded.stream().filter(name -> !name.startsWith("libgcc_s")).toList(), "each after those it needs");
        assertEquals(processHasLibgcc ? 3 : 4, loaded.size(), "libgcc_s loaded twice: " + loaded);
        assertEquals(List.of(), both.missing());
        try (var unpacked = Files.list(cache)) {
            assertEquals(List.of("httpy-numpy-2.4.2-1.5.13-linux-x86_64-", "httpy-openblas-0.3.31-1.5.13-linux-x86_64-"),
                    unpacked.map(p -> p.getFileName().toString().replaceAll("\\d+$", "")).sorted().toList(),
                    "the two jars unpacked once each, nothing for the jar without packages");
        }
        try (var files = Files.list(both.libraries().getLast().getParent())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("libjni")), "Java bindings unpacked");
        }
    }

    @Test
    void readsWhatAnExtensionModuleNeeds(@org.junit.jupiter.api.io.TempDir Path cache) throws Exception {
        var packages = JarPackages.load(List.of(TestJars.named("numpy-2.4.2")), cache);
        Path module = packages.pythonDirs().getFirst().resolve("numpy/_core/_multiarray_umath.cpython-314-x86_64-linux-gnu.so");
        List<String> needs = ElfNeeds.of(module);
        assertTrue(needs.contains("libopenblas.so.0") && needs.contains("libc.so.6"), needs.toString());
        assertEquals(List.of(), ElfNeeds.of(packages.pythonDirs().getFirst().resolve("numpy/__init__.py")));
    }

    /**
     * A Spring Boot fat jar's numpy: a jar inside another, read through a URL as a stream, unpacked
     * once under the cache (never beside the outer jar), each package's tree found in it.
     */
    @Test
    void aJarInsideAnotherIsReadAsAStreamAndUnpackedOnce(@org.junit.jupiter.api.io.TempDir Path work) throws Exception {
        Path numpyJar = TestJars.named("numpy-2.4.2");
        Path outer = work.resolve("app/app.jar");
        Files.createDirectories(outer.getParent());
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(outer))) {
            var entry = new java.util.jar.JarEntry("BOOT-INF/lib/" + numpyJar.getFileName());
            out.putNextEntry(entry);
            Files.copy(numpyJar, out);
            out.closeEntry();
        }
        var nested = java.net.URI.create("jar:" + outer.toUri() + "!/BOOT-INF/lib/" + numpyJar.getFileName()).toURL();
        Path cache = work.resolve("cache");

        var packages = JarPackages.load(List.of(), List.of(nested), cache);

        Path numpy = packages.pythonDirs().getFirst();
        assertTrue(numpy.startsWith(cache), numpy.toString());
        assertTrue(Files.isRegularFile(numpy.resolve("numpy/__init__.py")), numpy + " has no numpy package");
        assertEquals(1, packages.pythonDirs().size(), packages.pythonDirs().toString());
        long unpackedAt = Files.getLastModifiedTime(numpy).toMillis();
        assertEquals(packages.pythonDirs(), JarPackages.load(List.of(), List.of(nested), cache).pythonDirs());
        assertEquals(unpackedAt, Files.getLastModifiedTime(numpy).toMillis(), "unpacked again");
        try (var beside = Files.list(outer.getParent())) {
            assertEquals(List.of(outer), beside.toList(), "nothing written beside the outer jar");
        }
    }

    @Test
    void theClassPathsPlatformJarsAreBytedecosNotTheEmbeddedCPythonNorOthers() throws Exception {
        Path numpy = TestJars.named("numpy-2.4.2");
        Path junit = TestJars.named("junit-jupiter-api");
        Path cpython = Files.createTempFile("cpython-3.14.3-1.5.13-", "-" + JarPackages.PLATFORM + ".jar");
        try (var loader = new java.net.URLClassLoader(new java.net.URL[] {
                numpy.toUri().toURL(), junit.toUri().toURL(), cpython.toUri().toURL()}, null)) {
            var found = JarPackages.platformJarsOf(loader);
            assertTrue(found.contains(numpy.toUri().toURL()), found.toString());
            assertTrue(found.stream().noneMatch(u -> u.getPath().contains("junit-jupiter-api")), found.toString());
            assertTrue(found.stream().noneMatch(u -> u.getPath().contains("/cpython-")), found.toString());
        } finally {
            Files.delete(cpython);
        }
    }
}
