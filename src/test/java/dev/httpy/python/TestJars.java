package dev.httpy.python;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;

/** Jars of the test class path, by the start of their file names (pom.xml's test dependencies). */
public final class TestJars {
    private TestJars() {
    }

    public static Path named(String prefix) {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
                .filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(prefix + "* is not on the test class path (pom.xml's test dependencies)"));
    }

    /** numpy and the openblas it needs, from Maven Central, as a web app's WEB-INF/lib has them. */
    public static File[] numpy() {
        return new File[] {named("numpy-2.4.2").toFile(), named("openblas-0.3.31").toFile()};
    }
}
