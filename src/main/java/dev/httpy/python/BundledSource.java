package dev.httpy.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The source of a Python module that ships in httpy's jar, next to a class of the same package. */
public final class BundledSource {
    private BundledSource() {
    }

    /**
     * Reads {@code file} (say {@code _httpy.py}) from {@code near}'s package directory as UTF-8.
     *
     * @throws IllegalStateException when the jar does not have it
     */
    public static String read(Class<?> near, String file) {
        try (InputStream in = near.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException(near.getPackageName().replace('.', '/') + "/" + file
                        + " is missing from the httpy jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
