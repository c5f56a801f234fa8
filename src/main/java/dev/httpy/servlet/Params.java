package dev.httpy.servlet;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads and checks {@code web.xml} parameters; every error names the parameter, its bad value and
 * what to write instead.
 */
final class Params {
    private static final Pattern FUNCTION_SPEC = Pattern.compile("[A-Za-z_][\\w.]*:[A-Za-z_][\\w.]*");

    private final String kind;
    private final Function<String, String> values;

    /**
     * @param kind   "context-param" or "init-param", for messages
     * @param names  the names given, to catch misspelt {@code python.*} parameters
     * @param known  the {@code python.*} names this reader understands
     */
    Params(String kind, Collection<String> names, Function<String, String> values, Set<String> known) {
        this.kind = kind;
        this.values = values;
        for (String name : names) {
            if (name.startsWith("python.") && !known.contains(name)) {
                throw new IllegalArgumentException(kind + " " + name + " is not a parameter httpy knows here; known: "
                        + new TreeSet<>(known));
            }
        }
    }

    /** The trimmed value, or null when absent or blank. */
    String string(String name) {
        String value = values.apply(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    String function(String name, boolean required) {
        String value = string(name);
        if (value == null) {
            if (required) {
                throw new IllegalArgumentException(kind + " " + name + " is required: name the Python function as"
                        + " module:function, e.g. app:handle");
            }
            return null;
        }
        if (!FUNCTION_SPEC.matcher(value).matches()) {
            throw bad(name, value, "give module:function, e.g. app:handle");
        }
        return value;
    }

    int positiveInt(String name, int defaultValue) {
        String value = string(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int n = value.matches("\\d+") ? Integer.parseInt(value) : 0;
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw bad(name, value, "give a whole number of at least 1 (default " + defaultValue + ")");
    }

    /** A whole number, 0 or more; 0 usually means off. */
    int count(String name, String meaning) {
        String value = string(name);
        if (value == null) {
            return 0;
        }
        if (value.matches("\\d{1,9}")) {
            return Integer.parseInt(value);
        }
        throw bad(name, value, "give a whole number, 0 or more: " + meaning + " (default 0, off)");
    }

    long bytes(String name, long defaultValue) {
        String value = string(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw bad(name, value, "give a number of bytes, 0 or more (default " + defaultValue + ")");
    }

    Duration seconds(String name, Duration defaultValue) {
        String value = string(name);
        if (value == null) {
            return defaultValue;
        }
        if (value.matches("\\d{1,5}(\\.\\d+)?")) {
            long millis = Math.round(Double.parseDouble(value) * 1000);
            if (millis >= 1 && millis <= 86_400_000) {
                return Duration.ofMillis(millis);
            }
        }
        throw bad(name, value, "give seconds, at least 0.001 and at most 86400 (default " + defaultValue.toSeconds() + ")");
    }

    /** {@link #seconds}, where 0 means no limit ({@link Duration#ZERO}). */
    Duration secondsOrNone(String name, Duration defaultValue) {
        return secondsOrZero(name, defaultValue, "0 for no limit");
    }

    /** {@link #seconds}, or 0 ({@link Duration#ZERO}), which {@code zero} says the meaning of ("0 for no limit"). */
    Duration secondsOrZero(String name, Duration defaultValue, String zero) {
        String value = string(name);
        if (value != null && value.matches("0+(\\.0+)?")) {
            return Duration.ZERO;
        }
        try {
            return seconds(name, defaultValue);
        } catch (IllegalArgumentException e) {
            throw bad(name, value, "give seconds, at most 86400, or " + zero + " (default " + defaultValue.toSeconds() + ")");
        }
    }

    /**
     * A path within the web app, as a request's path is once the container decoded it (so no
     * {@code %}, query or {@code ;} parameters), starting with {@code /}; null when absent.
     */
    String path(String name, String example) {
        String value = string(name);
        if (value == null || value.matches("/[^\\s?#;%]*")) {
            return value;
        }
        throw bad(name, value, "give a path within the web app that starts with /, decoded, without a query or"
                + " ; parameters, e.g. " + example);
    }

    boolean bool(String name) {
        String value = string(name);
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        throw bad(name, value, "give true or false (default false)");
    }

    /** One of {@code choices}, the first being the default. */
    String choice(String name, String... choices) {
        String value = string(name);
        if (value == null) {
            return choices[0];
        }
        for (String choice : choices) {
            if (choice.equalsIgnoreCase(value)) {
                return choice;
            }
        }
        throw bad(name, value, "give one of " + String.join(", ", choices) + " (default " + choices[0] + ")");
    }

    IllegalArgumentException bad(String name, String value, String fix) {
        return new IllegalArgumentException(kind + " " + name + "=" + value + ": " + fix);
    }
}
