package dev.httpy.python;

import java.nio.file.Path;

import dev.httpy.packages.PythonInstallation;

/** Python calling Java on the embedded CPython 3.14. */
class EmbeddedJavaCallsTest extends JavaCallsContract {

    @Override
    PythonInstallation installation() {
        return PythonInstallation.embedded(getClass().getClassLoader(), Path.of("target", "python-cache"));
    }
}
