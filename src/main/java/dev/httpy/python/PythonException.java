package dev.httpy.python;

/**
 * A Python exception, fetched and cleared on the Python side, carried into Java.
 *
 * <p>{@link #pythonType()} is the qualified type name ({@code ValueError},
 * {@code json.decoder.JSONDecodeError}), {@link #pythonMessage()} its {@code str()}, and
 * {@link #pythonTraceback()} the text {@code traceback.format_exception} gives: for logs, never for
 * HTTP clients.
 */
public final class PythonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String pythonType;
    private final String pythonMessage;
    private final String pythonTraceback;

    public PythonException(String pythonType, String pythonMessage, String pythonTraceback) {
        super(pythonMessage.isEmpty() ? pythonType : pythonType + ": " + pythonMessage, null, false, false);
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.pythonTraceback = pythonTraceback;
    }

    public String pythonType() {
        return pythonType;
    }

    public String pythonMessage() {
        return pythonMessage;
    }

    public String pythonTraceback() {
        return pythonTraceback;
    }

    /** True for {@code SystemExit}, which httpy answers like any other error instead of exiting. */
    public boolean isSystemExit() {
        return pythonType.equals("SystemExit");
    }
}
