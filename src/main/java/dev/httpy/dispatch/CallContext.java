package dev.httpy.dispatch;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The servlet request's side of a Python call, for Python's {@code httpy.request()}: the context
 * the filter read ({@code forPython}, converted to a dict) and where Python's session writes go.
 */
public record CallContext(Map<String, Object> forPython, Consumer<List<?>> sessionWriter) {
}
