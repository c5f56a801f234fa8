package dev.httpy.python;

import java.nio.file.Path;

import dev.httpy.packages.PythonInstallation;

/** The bridge contract against the embedded CPython 3.14 from the bytedeco jar. */
class EmbeddedPythonBridgeTest extends BridgeContract {

    @Override
    PythonInstallation installation() {
        return PythonInstallation.embedded(getClass().getClassLoader(), Path.of("target", "python-cache"));
    }

    @org.junit.jupiter.api.Test
    void theEmbeddedPythonIs314() {
        org.junit.jupiter.api.Assertions.assertTrue(runtime().version().startsWith("3.14."), runtime().version());
    }

    @org.junit.jupiter.api.Test
    void sysExecutableIsTheEmbeddedOneNotWhateverIsOnPath() throws Throwable {
        var facts = (java.util.Map<?, ?>) call("c_extensions");
        org.junit.jupiter.api.Assertions.assertEquals(installation().executable().toString(), facts.get("executable"));
    }
}
