package dev.httpy.dispatch;

import java.util.List;

import dev.httpy.python.Python;

/**
 * The user's request function, called through the glue that checks its answer, so that
 * everything arriving here already has the fixed shape {@code (int, bytes, [name, value, ...])}.
 * It is looked up by name in each worker's interpreter (a worker may have one of its own).
 */
public record RequestFunction(String name) implements PythonHandler {
    private static final String CALL_HANDLER = "_httpy:call_handler";

    /**
     * Calls Python while the caller holds the GIL.
     *
     * @throws dev.httpy.python.PythonException when the handler raises or answers with a bad shape
     */
    public PythonResponse call(Python py, PythonRequest request) {
        var answer = (List<?>) py.call(py.cachedFunction(CALL_HANDLER), py.cachedFunction(name), request.method(),
                request.path(), request.params(), request.query(), request.headers(), request.body());
        @SuppressWarnings("unchecked")
        var headers = (List<String>) answer.get(2);
        return new PythonResponse(((Long) answer.get(0)).intValue(), headers, (byte[]) answer.get(1));
    }

    @Override
    public void resolve(Python py) {
        py.cachedFunction(name);
        py.cachedFunction(CALL_HANDLER);
    }
}
