package dev.httpy.dispatch;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The servlet request's side of a Python call, for Python's {@code httpy.request()}: the context
 * the filter read ({@code forPython}, converted to a dict) and where Python's session writes go.
 */
public record CallContext(Map<String, Object> forPython, Consumer<List<?>> sessionWriter) {

    /**
     * Python's session writes, if it made any ({@code httpy._leave()}'s answer, or null), into the
     * HttpSession before the answer goes out; when the session cannot take them, the log says so.
     *
     * @param where the request or app, for the log
     */
    public void writeSession(Object changes, String where) {
        if (changes instanceof List<?> list) {
            try {
                sessionWriter.accept(list);
            } catch (IllegalStateException e) {
                System.getLogger(CallContext.class.getName()).log(System.Logger.Level.WARNING,
                        "{0}: the Python app''s session writes are lost: {1}", where, e.getMessage());
            }
        }
    }
}
