package dev.httpy.dispatch;

import java.util.List;

import dev.httpy.python.Python;

/**
 * The user's request function, called through the glue that checks its answer, so that
 * everything arriving here already has the fixed shape {@code (int, bytes, [name, value, ...])}.
 * It is looked up by name in each worker's interpreter (a worker may have one of its own).
 */
public final class RequestFunction {
    private static final String CALL_HANDLER = "_httpy:call_handler";
    private final String handler;

    /** @param handler {@code module:function} of the request function */
    public RequestFunction(String handler) {
        this.handler = handler;
    }

    /**
     * Calls Python while the caller holds the GIL.
     *
     * @throws dev.httpy.python.PythonException when the handler raises or answers with a bad shape
     */
    public PythonResponse call(Python py, PythonRequest request) {
        var answer = (List<?>) py.call(py.cachedFunction(CALL_HANDLER), py.cachedFunction(handler), request.method(),
                request.path(), request.params(), request.query(), request.headers(), request.body());
        @SuppressWarnings("unchecked")
        var headers = (List<String>) answer.get(2);
        return new PythonResponse(((Long) answer.get(0)).intValue(), headers, (byte[]) answer.get(1));
    }

    /** Finds the function now, so that a missing module or name fails at start-up. */
    public void resolve(Python py) {
        py.cachedFunction(handler);
        py.cachedFunction(CALL_HANDLER);
    }

    public String name() {
        return handler;
    }
}
