package dev.httpy.jep;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.util.List;

import jep.JepConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JepSettingsTest {

    @Test
    void readsTheIncludePathsInOrderFromEitherSetter() {
        var added = JepSettings.of(new JepConfig().addIncludePaths("/a", "/b").addIncludePaths("/c"));
        assertEquals(List.of("/a", "/b", "/c"), added.includePaths());
        var set = JepSettings.of(new JepConfig().setIncludePath("/x" + File.pathSeparator + File.pathSeparator + "/y"));
        assertEquals(List.of("/x", "/y"), set.includePaths(), "empty entries are dropped");
        assertEquals(List.of(), JepSettings.of(new JepConfig()).includePaths());
    }

    @Test
    void readsTheRedirections() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var settings = JepSettings.of(new JepConfig().redirectStdout(out).redirectStdErr(err));
        assertSame(out, settings.stdout());
        assertSame(err, settings.stderr());
        assertTrue(settings.redirects());
        var none = JepSettings.of(new JepConfig());
        assertNull(none.stdout());
        assertFalse(none.redirects());
    }

    @Test
    void aStandaloneDefaultFillsOnlyTheStreamsTheConfigLeavesOpen() {
        var mine = new ByteArrayOutputStream();
        var console = new ByteArrayOutputStream();
        var settings = JepSettings.of(new JepConfig().redirectStdout(mine)).orOutput(console, console);
        assertSame(mine, settings.stdout());
        assertSame(console, settings.stderr());
    }
}
