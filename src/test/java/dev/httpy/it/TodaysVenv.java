package dev.httpy.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The venv of today's Python stacks that the build makes in {@code target/venv-today}
 * ({@code src/test/venv/make-venv.sh}): its python, or a skip that prints why it is missing.
 */
public final class TodaysVenv {
    private static final Path DIR = Path.of(System.getProperty("httpy.test.venvDir", "target/venv-today"));

    private TodaysVenv() {
    }

    /** Whether the venv is there, for a deployment made before a test can skip. */
    public static boolean ready() {
        return Files.isRegularFile(DIR.resolve("READY"));
    }

    /** The venv's Python version, {@code 3.X}, from its pyvenv.cfg. */
    public static String version() {
        try {
            return Files.readAllLines(DIR.resolve("venv/pyvenv.cfg")).stream().filter(l -> l.startsWith("version"))
                    .map(l -> l.replaceAll(".*=\\s*(\\d+\\.\\d+).*", "$1")).findFirst().orElse("0.0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The venv's python, for python.executable; skips the calling test class, saying why, when there is none. */
    public static Path python(String who) {
        boolean ready = Files.isRegularFile(DIR.resolve("READY"));
        if (!ready) {
            String why;
            try {
                why = Files.isRegularFile(DIR.resolve("SKIPPED")) ? Files.readString(DIR.resolve("SKIPPED")).strip()
                        : DIR + " was not made (run mvn verify, whose pre-integration-test step makes it)";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            System.out.println("SKIPPED " + who + ": no venv of today's Python stacks: " + why);
            assumeTrue(false, why);
        }
        return DIR.resolve("venv/bin/python").toAbsolutePath();
    }

    /** {@code web.xml} with a context-param python.executable put before its first listener. */
    public static String withExecutable(String webXml, Path python) {
        String param = "<context-param><param-name>python.executable</param-name><param-value>" + python
                + "</param-value></context-param>\n  <listener>";
        int at = webXml.indexOf("<listener>");
        if (at < 0) {
            throw new IllegalArgumentException("the web.xml has no <listener> to put python.executable before");
        }
        return webXml.substring(0, at) + param + webXml.substring(at + "<listener>".length());
    }
}
