package dev.httpy.wsgi;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.httpy.routing.RouteMatch;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The CGI part of a PEP 3333 environ; the glue adds the {@code wsgi.*} keys. Strings that carry
 * bytes ({@code PATH_INFO}, {@code SCRIPT_NAME}, header values) are "bytes in unicode": each byte a
 * Latin-1 character, as PEP 3333 asks.
 */
final class WsgiEnviron {
    private WsgiEnviron() {
    }

    /**
     * Where the app is mounted: a route ending in a catch-all ({@code /flask/*path}) mounts it at
     * the part of the path the route matched before the catch-all, which goes to
     * {@code SCRIPT_NAME} after the context path; the rest is {@code PATH_INFO}. So
     * {@code /t/:tenant/*rest} mounts {@code /t/acme/x} at {@code /t/acme}. Any other route leaves the
     * whole path in {@code PATH_INFO}.
     */
    static Map<String, Object> of(HttpServletRequest request, String path, RouteMatch.Found found) {
        var environ = new HashMap<String, Object>(32);
        String[] mount = found.mount(path);
        environ.put("REQUEST_METHOD", request.getMethod());
        environ.put("SCRIPT_NAME", latin1(request.getContextPath() + mount[0]));
        environ.put("PATH_INFO", latin1(mount[1]));
        environ.put("QUERY_STRING", request.getQueryString() == null ? "" : request.getQueryString());
        if (request.getContentType() != null) {
            environ.put("CONTENT_TYPE", request.getContentType());
        }
        if (request.getContentLengthLong() >= 0) {
            environ.put("CONTENT_LENGTH", Long.toString(request.getContentLengthLong()));
        }
        environ.put("SERVER_NAME", request.getServerName());
        environ.put("SERVER_PORT", Integer.toString(request.getServerPort()));
        environ.put("SERVER_PROTOCOL", request.getProtocol());
        environ.put("REMOTE_ADDR", request.getRemoteAddr());
        environ.put("REMOTE_PORT", Integer.toString(request.getRemotePort()));
        environ.put("wsgi.url_scheme", request.getScheme());
        // Who the container authenticated (its login, never a header: those are HTTP_* keys), as CGI has it.
        if (request.getRemoteUser() instanceof String user) {
            environ.put("REMOTE_USER", user);
            if (request.getAuthType() instanceof String authType) {
                environ.put("AUTH_TYPE", authType);
            }
        }
        if (request.isSecure()) {
            environ.put("HTTPS", "on");
        }
        if (request.getHeaderNames() != null) {
            for (String name : Collections.list(request.getHeaderNames())) {
                String key = "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
                if (key.equals("HTTP_CONTENT_TYPE") || key.equals("HTTP_CONTENT_LENGTH")) {
                    continue;
                }
                // Repeated headers are joined as RFC 9110 allows; cookies with "; " as RFC 6265 does.
                String joined = String.join(key.equals("HTTP_COOKIE") ? "; " : ", ",
                        Collections.list(request.getHeaders(name)));
                environ.merge(key, joined, (a, b) -> a + (key.equals("HTTP_COOKIE") ? "; " : ", ") + b);
            }
        }
        return environ;
    }

    /** A decoded (UTF-8) path as PEP 3333's bytes-in-unicode. */
    private static String latin1(String decoded) {
        return new String(decoded.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
