package dev.httpy.jep;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.httpy.packages.PythonInstallation;
import jep.Interpreter;
import jep.JepConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The interpreter contract on a system Python: Debian's python3.11 with libpython3.11
 * ({@code apt-get install python3-dev}, which .ci/run installs), made standalone with
 * {@code new HttpyInterpreter(config, PythonInstallation.fromExecutable(...))}.
 */
class SystemPythonInterpreterTest extends InterpreterContract {
    private static final Path EXECUTABLE = Path.of(System.getProperty("httpy.test.systemPython", "/usr/bin/python3.11"));
    private PythonInstallation installation;

    @BeforeAll
    void findPython() {
        if (!Files.isExecutable(EXECUTABLE)) {
            System.out.println("SKIPPED SystemPythonInterpreterTest: " + EXECUTABLE
                    + " is not installed (apt-get install python3-dev)");
        }
        assumeTrue(Files.isExecutable(EXECUTABLE), EXECUTABLE + " is not installed (apt-get install python3-dev)");
        installation = PythonInstallation.fromExecutable(EXECUTABLE);
    }

    @Override
    Interpreter open(JepConfig config) {
        return new HttpyInterpreter(config, installation);
    }

    @Test
    void itRunsOnTheConfiguredPython() {
        try (var python = open()) {
            python.exec("import sys");
            String executable = python.getValue("sys.executable", String.class);
            assertTrue(executable.equals(EXECUTABLE.toString()), executable);
        }
    }
}
