package dev.httpy.jep;

import java.io.File;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;

import jep.JepConfig;

/**
 * What httpy takes from a {@link JepConfig}: its include path and its stdout and stderr
 * redirections. The rest has no meaning here: shared modules (every module is shared within
 * a Python interpreter already), the class enquirer and class loader (Python cannot import Java
 * classes through httpy), the sub-interpreter options and interactive mode.
 *
 * @param includePaths directories appended to {@code sys.path}, as Jep appends them
 * @param stdout       where Python's {@code sys.stdout} goes during this interpreter's calls, or null
 * @param stderr       where Python's {@code sys.stderr} goes during this interpreter's calls, or null
 */
record JepSettings(List<String> includePaths, OutputStream stdout, OutputStream stderr) {

    JepSettings {
        includePaths = List.copyOf(includePaths);
    }

    /**
     * Reads the config. JepConfig has setters only and Jep reads its protected fields from its
     * own package; httpy reads the three it honours by reflection, here and nowhere else, which
     * works whichever class loader holds the Jep jar.
     */
    static JepSettings of(JepConfig config) {
        Object includePath = field(config, "includePath");
        List<String> paths = includePath == null ? List.of()
                : Arrays.stream(includePath.toString().split(File.pathSeparator)).filter(p -> !p.isEmpty()).toList();
        return new JepSettings(paths, (OutputStream) field(config, "redirectStdout"),
                (OutputStream) field(config, "redirectStderr"));
    }

    /** The same, with {@code out} and {@code err} where the config redirects nothing. */
    JepSettings orOutput(OutputStream out, OutputStream err) {
        return new JepSettings(includePaths, stdout == null ? out : stdout, stderr == null ? err : stderr);
    }

    boolean redirects() {
        return stdout != null || stderr != null;
    }

    private static Object field(JepConfig config, String name) {
        try {
            Field field = JepConfig.class.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(config);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read JepConfig." + name + " from " + config
                    + "; httpy reads JepConfig as black.ninia:jep:4.2.2 has it", e);
        }
    }
}
