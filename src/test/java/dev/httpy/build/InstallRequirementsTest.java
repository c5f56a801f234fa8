package dev.httpy.build;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build step with the embedded CPython's real pip, offline: from a wheelhouse built here, with
 * hash-pinned requirements, installing again only when something changed.
 */
class InstallRequirementsTest {
    private static Path wheels;

    @BeforeAll
    static void wheelhouse(@TempDir Path dir) throws Exception {
        Wheelhouse.assumeDebianPython();
        wheels = Wheelhouse.build(dir.resolve("wheels"), false);
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), () -> "expected \"" + expected + "\" in:\n" + text);
    }

    @Test
    void withoutARequirementsFileItSaysSoInOneLineAndInstallsNothing(@TempDir Path dir) {
        var run = Wheelhouse.install(dir.resolve("requirements.txt"), dir.resolve("python-packages"), wheels);
        assertEquals(0, run.exit(), run.output());
        assertEquals(1, run.output().lines().count(), run.output());
        assertContains(run.output(), "no " + dir.resolve("requirements.txt") + ", so no Python packages to install");
        assertFalse(Files.exists(dir.resolve("python-packages")));
    }

    @Test
    void hashPinnedRequirementsInstallOnceAndAgainOnlyWhenTheyOrPipsSettingsChange(@TempDir Path dir) throws Exception {
        Path requirements = Files.writeString(dir.resolve("requirements.txt"), Wheelhouse.hashPinned(wheels));
        Path target = dir.resolve("WEB-INF/python-packages");

        var first = Wheelhouse.install(requirements, target, wheels);
        assertEquals(0, first.exit(), first.output());
        assertContains(first.output(), "Successfully installed httpy-pure-1.0 httpy-speedup-1.0");
        assertTrue(Files.isRegularFile(target.resolve("httpy_pure.py")));
        assertTrue(Files.isRegularFile(target.resolve("httpy_speedup.cpython-314-x86_64-linux-gnu.so")));
        assertFalse(Files.exists(target.getParent().resolve("python-packages.installing")), "staging left behind");

        var again = Wheelhouse.install(requirements, target, wheels);
        assertEquals(0, again.exit(), again.output());
        assertContains(again.output(), "requirements.txt is unchanged since the last install");
        assertFalse(again.output().contains("Successfully installed"), again.output());

        // Another wheel directory is another source: install again.
        Path moved = Files.move(wheels, wheels.resolveSibling("wheels-moved"));
        try {
            var elsewhere = Wheelhouse.install(requirements, target, moved);
            assertEquals(0, elsewhere.exit(), elsewhere.output());
            assertContains(elsewhere.output(), "Successfully installed");
        } finally {
            Files.move(moved, wheels);
        }

        // Fewer requirements: what was dropped is gone from the target.
        Files.writeString(requirements, Wheelhouse.hashPinned(wheels, "httpy_pure"));
        var fewer = Wheelhouse.install(requirements, target, wheels);
        assertEquals(0, fewer.exit(), fewer.output());
        assertTrue(Files.isRegularFile(target.resolve("httpy_pure.py")));
        assertFalse(Files.exists(target.resolve("httpy_speedup.cpython-314-x86_64-linux-gnu.so")));

        // No requirements file any more: no packages either.
        Files.delete(requirements);
        var none = Wheelhouse.install(requirements, target, wheels);
        assertEquals(0, none.exit(), none.output());
        assertContains(none.output(), "removed " + target);
        assertFalse(Files.exists(target));
    }

    @Test
    void aWheelWhoseHashDiffersFailsTheBuildAndKeepsTheLastInstall(@TempDir Path dir) throws Exception {
        Path requirements = Files.writeString(dir.resolve("requirements.txt"), Wheelhouse.hashPinned(wheels, "httpy_pure"));
        Path target = dir.resolve("python-packages");
        assertEquals(0, Wheelhouse.install(requirements, target, wheels).exit());
        String stamp = Files.readString(target.resolve(InstallRequirements.STAMP));

        String tampered = Wheelhouse.hashPinned(wheels, "httpy_pure").replaceAll("sha256:[0-9a-f]{4}", "sha256:0000");
        Files.writeString(requirements, tampered);
        var run = Wheelhouse.install(requirements, target, wheels);
        assertNotEquals(0, run.exit(), run.output());
        assertContains(run.output(), "THESE PACKAGES DO NOT MATCH THE HASHES");
        assertContains(run.output(), "pip could not install " + requirements);
        assertContains(run.output(), "PIP_NO_INDEX=1 and PIP_FIND_LINKS=<dir>");
        assertEquals(stamp, Files.readString(target.resolve(InstallRequirements.STAMP)), "the last install was replaced");
        assertTrue(Files.isRegularFile(target.resolve("httpy_pure.py")));
    }

    @Test
    void theStampFollowsTheFileAndPipsVariablesButNotOtherVariables(@TempDir Path dir) throws Exception {
        Path requirements = Files.writeString(dir.resolve("requirements.txt"), "httpy_pure==1.0\n");
        String plain = InstallRequirements.stamp(requirements, Map.of("HOME", "/root"));
        assertEquals(plain, InstallRequirements.stamp(requirements, Map.of("HOME", "/elsewhere")));
        assertNotEquals(plain, InstallRequirements.stamp(requirements, Map.of("PIP_INDEX_URL", "https://mirror/simple")));
        Files.writeString(requirements, "httpy_pure==1.1\n");
        assertNotEquals(plain, InstallRequirements.stamp(requirements, Map.of("HOME", "/root")));
    }
}
