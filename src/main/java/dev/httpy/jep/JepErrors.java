package dev.httpy.jep;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.httpy.python.PythonException;
import jep.JepException;

/**
 * What went wrong in a call, as the {@link JepException} Jep would throw.
 *
 * <p>A Python error reads as Jep words it, {@code <class 'ValueError'>: bad value}, with the
 * {@link PythonException} (type, message, whole traceback) as its cause and, as Jep does, the
 * Python frames of the traceback (innermost first) before the Java ones in its stack trace:
 * {@code at script.main(script.py:3)}. A {@code SystemExit} is such an error too; Jep would end
 * the JVM. Jep's own refusals ("Unable to find object with name: f") keep Jep's message alone.
 */
final class JepErrors {
    /** The glue's exception for Jep's own refusals. */
    private static final String REFUSED = "_httpy_jep.Refused";
    /** Frames of the glue itself are no part of the user's traceback. */
    private static final String GLUE_FILE = "<httpy>/";
    private static final Pattern FRAME = Pattern.compile("^  File \"(.*)\", line (\\d+), in (.*)$");
    private static final String TRACEBACK_START = "Traceback (most recent call last):";

    private JepErrors() {
    }

    /** Python or its workers could not start: the reason, as a JepException. */
    static JepException cannotStart(RuntimeException e) {
        return e instanceof JepException jep ? jep : new JepException(e.getMessage(), e);
    }

    /**
     * The JepException for what a call threw (or completed its future with). An
     * IllegalArgumentException there is the bridge refusing to convert a value.
     */
    static JepException of(Throwable failure) {
        return switch (failure) {
            case JepException e -> e;
            case PythonException e when e.pythonType().equals(REFUSED) -> new JepException(e.pythonMessage());
            case PythonException e -> fromPython(e);
            case IllegalArgumentException e -> new JepException(e.getMessage() + ". httpy converts str, bytes, int,"
                    + " float, bool, None, list, tuple and dict and their Java counterparts; Jep would wrap other"
                    + " values in a PyObject or PyJObject, which need Jep's native library: convert them in Python"
                    + " first, or ask getValue(expression, String.class) for the str() of a Python value", e);
            default -> new JepException(failure.getMessage(), failure);
        };
    }

    private static JepException fromPython(PythonException e) {
        var exception = new JepException("<class '" + e.pythonType() + "'>: " + e.pythonMessage(), e);
        List<StackTraceElement> trace = new ArrayList<>(pythonFrames(e.pythonTraceback()));
        // The Java frames from the caller on: this class made the exception, it did not fail.
        Stream.of(exception.getStackTrace()).dropWhile(f -> f.getClassName().equals(JepErrors.class.getName()))
                .forEach(trace::add);
        exception.setStackTrace(trace.toArray(StackTraceElement[]::new));
        return exception;
    }

    /** The frames of the last exception in a formatted traceback, innermost first, without the glue's. */
    static List<StackTraceElement> pythonFrames(String traceback) {
        String[] lines = traceback.split("\n");
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].equals(TRACEBACK_START)) {
                start = i + 1;
            }
        }
        List<StackTraceElement> frames = new ArrayList<>();
        for (int i = start; i < lines.length; i++) {
            Matcher frame = FRAME.matcher(lines[i]);
            if (frame.matches() && !frame.group(1).startsWith(GLUE_FILE)) {
                String file = frame.group(1).substring(frame.group(1).lastIndexOf('/') + 1);
                String module = file.endsWith(".py") ? file.substring(0, file.length() - 3) : file;
                frames.addFirst(new StackTraceElement(module, frame.group(3), file, Integer.parseInt(frame.group(2))));
            }
        }
        return frames;
    }
}
