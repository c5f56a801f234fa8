package dev.httpy.python;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.httpy.packages.PythonInstallation;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bridge contract against a system Python found through its executable: Debian's python3.11
 * with libpython3.11 ({@code apt-get install python3-dev}), which .ci/run installs.
 */
class SystemPythonBridgeTest extends BridgeContract {

    @Override
    PythonInstallation installation() {
        Path executable = Path.of(System.getProperty("httpy.test.systemPython", "/usr/bin/python3.11"));
        if (!Files.isExecutable(executable)) {
            System.out.println("SKIPPED SystemPythonBridgeTest: " + executable
                    + " is not installed (apt-get install python3-dev)");
        }
        assumeTrue(Files.isExecutable(executable), executable + " is not installed (apt-get install python3-dev)");
        return PythonInstallation.fromExecutable(executable);
    }

    @org.junit.jupiter.api.Test
    void sysExecutableIsTheConfiguredOne() throws Throwable {
        var facts = (java.util.Map<?, ?>) call("c_extensions");
        org.junit.jupiter.api.Assertions.assertEquals(
                System.getProperty("httpy.test.systemPython", "/usr/bin/python3.11"), facts.get("executable"));
    }
}
