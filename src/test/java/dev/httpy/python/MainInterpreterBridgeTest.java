package dev.httpy.python;

import java.nio.file.Path;

import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;

/** The bridge contract in the shared main interpreter ({@code python.interpreter=main}). */
class MainInterpreterBridgeTest extends BridgeContract {

    @Override
    PythonInstallation installation() {
        return PythonInstallation.embedded(getClass().getClassLoader(), Path.of("target", "python-cache"));
    }

    @Override
    PythonRuntime.Isolation isolation() {
        return PythonRuntime.Isolation.MAIN;
    }
}
