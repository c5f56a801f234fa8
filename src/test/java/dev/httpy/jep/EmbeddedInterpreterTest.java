package dev.httpy.jep;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import jep.Interpreter;
import jep.JepConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interpreter contract on the embedded CPython 3.14, made standalone: {@code new HttpyInterpreter(config)}. */
class EmbeddedInterpreterTest extends InterpreterContract {

    @Override
    Interpreter open(JepConfig config) {
        return new HttpyInterpreter(config);
    }

    @Test
    void itRunsOnTheEmbedded314() {
        try (var python = open()) {
            python.exec("import sys");
            String version = python.getValue("sys.version", String.class);
            assertTrue(version.startsWith("3.14."), version);
        }
    }

    /** As Jep prints to the process's stdout, a standalone interpreter prints to System.out unless redirected. */
    @Test
    void withoutARedirectionAStandaloneInterpreterPrintsToSystemOutAndErr() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (var python = new HttpyInterpreter()) {
            python.exec("import sys\nprint('to the console')\nprint('to stderr', file=sys.stderr)");
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals("to the console\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("to stderr\n", err.toString(StandardCharsets.UTF_8));
    }
}
