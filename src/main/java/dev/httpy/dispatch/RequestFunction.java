package dev.httpy.dispatch;

import dev.httpy.python.Python;
import dev.httpy.python.RequestAnswer;

/**
 * The user's request function, called directly; its answer is checked on the Java side
 * ({@link Python#callRequestFunction}), so everything arriving here already has the fixed shape
 * {@code (int, [name, value, ...], bytes)}. It is looked up by name in each worker's interpreter (a
 * worker may have one of its own).
 */
public record RequestFunction(String name) implements PythonHandler {
    /** Sets and takes back the request {@code httpy.request()} describes around a call. */
    static final String ENTER = "httpy:_enter";
    static final String LEAVE = "httpy:_leave";

    /**
     * Calls Python while the caller holds the GIL.
     *
     * @throws dev.httpy.python.PythonException when the handler raises or answers with a bad shape
     */
    public PythonResponse call(Python py, PythonRequest request) {
        CallContext context = request.context();
        if (context != null) {
            py.call(py.cachedFunction(ENTER), context.forPython());
        }
        RequestAnswer answer;
        try {
            answer = py.callRequestFunction(py.cachedFunction(name), request.method(), request.path(),
                    request.params(), request.query(), request.headers(), request.body());
        } catch (RuntimeException e) {
            if (context != null) {
                py.call(py.cachedFunction(LEAVE)); // a failed handler's session writes are dropped
            }
            throw e;
        }
        if (context != null) {
            context.writeSession(py.call(py.cachedFunction(LEAVE)), request.path());
        }
        return new PythonResponse(answer.status(), answer.headers(), answer.body());
    }

    @Override
    public void resolve(Python py) {
        py.cachedFunction(name);
    }
}
