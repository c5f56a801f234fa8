package dev.httpy.python;

import java.util.List;

/**
 * A request function's answer, checked and ready to send: a status from 100 to 599, headers as
 * alternating names (HTTP tokens) and values (no CR, LF or NUL; the container's own
 * {@code Content-Length}, {@code Transfer-Encoding} and {@code Connection} dropped; a
 * {@code Content-Type} always present), and the body's bytes.
 */
public record RequestAnswer(int status, List<String> headers, byte[] body) {
}
