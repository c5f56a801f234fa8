package dev.httpy.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What goes back to the client: a status, headers as alternating names and values (a request
 * function's are checked by {@code Python.callRequestFunction}: tokens for names, no CR, LF or NUL
 * in values), and the body.
 */
public record PythonResponse(int status, List<String> headers, byte[] body) {

    public PythonResponse {
        headers = List.copyOf(headers);
        if (headers.size() % 2 != 0) {
            throw new IllegalArgumentException("headers must alternate names and values: " + headers);
        }
    }

    /** A plain-text answer made by httpy itself (errors, overload, timeouts). */
    public static PythonResponse text(int status, String text) {
        return new PythonResponse(status, List.of("Content-Type", "text/plain; charset=utf-8"),
                text.getBytes(StandardCharsets.UTF_8));
    }

    public PythonResponse withHeader(String name, String value) {
        var more = new java.util.ArrayList<>(headers);
        more.add(name);
        more.add(value);
        return new PythonResponse(status, more, body);
    }
}
