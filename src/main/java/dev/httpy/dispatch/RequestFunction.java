package dev.httpy.dispatch;

import java.util.List;

import dev.httpy.python.Python;
import dev.httpy.python.PythonFunction;

/**
 * The user's request function, called through the glue that checks its answer, so that
 * everything arriving here already has the fixed shape {@code (int, bytes, [name, value, ...])}.
 */
public final class RequestFunction {
    private final PythonFunction handler;
    private final PythonFunction callHandler;

    public RequestFunction(PythonFunction handler, PythonFunction callHandler) {
        this.handler = handler;
        this.callHandler = callHandler;
    }

    /**
     * Calls Python while the caller holds the GIL.
     *
     * @throws dev.httpy.python.PythonException when the handler raises or answers with a bad shape
     */
    public PythonResponse call(Python py, PythonRequest request) {
        var answer = (List<?>) py.call(callHandler, handler, request.method(), request.path(), request.params(),
                request.query(), request.headers(), request.body());
        @SuppressWarnings("unchecked")
        var headers = (List<String>) answer.get(2);
        return new PythonResponse(((Long) answer.get(0)).intValue(), headers, (byte[]) answer.get(1));
    }

    public String name() {
        return handler.name();
    }

    /** Drops both references; call once no request can use them. */
    public void release(Python py) {
        py.release(handler);
        py.release(callHandler);
    }
}
