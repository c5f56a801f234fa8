package dev.httpy.dispatch;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The servlet request's side of a Python call, for Python's {@code httpy.request()}: the context
 * the filter read ({@code forPython}, converted to a dict) and where Python's session writes go.
 */
public record CallContext(Map<String, Object> forPython, Function<List<?>, Runnable> sessionWriter) {

    /**
     * Python's session writes, if it made any ({@code httpy._leave()}'s answer, or null), into the
     * HttpSession before the answer goes out; when the session cannot take them, the log says so.
     *
     * @param where the request or app, for the log
     * @return what is left to do before the answer goes out, without the GIL (the changes sent to a
     *         Tomcat cluster: {@link SessionReplication}), or null
     */
    public Runnable writeSession(Object changes, String where) {
        if (changes instanceof List<?> list) {
            try {
                return sessionWriter.apply(list);
            } catch (IllegalStateException e) {
                System.getLogger(CallContext.class.getName()).log(System.Logger.Level.WARNING,
                        "{0}: the Python app''s session writes are lost: {1}", where, e.getMessage());
            }
        }
        return null;
    }

    /** {@link #writeSession}, on a thread holding {@code py}'s GIL: what is left runs with the GIL released. */
    public void writeSession(Object changes, String where, dev.httpy.python.Python py) {
        Runnable left = writeSession(changes, where);
        if (left != null) {
            if (py.canReleaseGil()) {
                py.withoutGil(left);
            } else {
                left.run();
            }
        }
    }
}
