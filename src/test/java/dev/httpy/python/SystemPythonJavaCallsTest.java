package dev.httpy.python;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.httpy.packages.PythonInstallation;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Python calling Java on Debian's python3.11 ({@code apt-get install python3-dev}), as SystemPythonBridgeTest. */
class SystemPythonJavaCallsTest extends JavaCallsContract {

    @Override
    PythonInstallation installation() {
        Path executable = Path.of(System.getProperty("httpy.test.systemPython", "/usr/bin/python3.11"));
        if (!Files.isExecutable(executable)) {
            System.out.println("SKIPPED SystemPythonJavaCallsTest: " + executable
                    + " is not installed (apt-get install python3-dev)");
        }
        assumeTrue(Files.isExecutable(executable), executable + " is not installed (apt-get install python3-dev)");
        return PythonInstallation.fromExecutable(executable);
    }
}
