package dev.httpy.python;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What goes back to the client: a status, headers as alternating names and values, and the body.
 * A request function's answer arrives checked ({@link Python#callRequestFunction}): a status from
 * 100 to 599, names that are HTTP tokens, values without CR, LF or NUL, the container's own
 * {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} dropped, and a
 * {@code Content-Type} always present.
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
