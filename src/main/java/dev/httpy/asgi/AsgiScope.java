package dev.httpy.asgi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.httpy.dispatch.CallContext;
import dev.httpy.dispatch.RequestContext;
import dev.httpy.routing.RouteMatch;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The parts of an ASGI HTTP scope that come from the servlet request, in the order
 * {@code _httpy_asgi.begin} takes them: method, scheme, http_version, path, raw_path, root_path,
 * query_string, headers, client, server, extensions. The extensions say who the container
 * authenticated: {@code "remote_user": {"user": ..., "auth_type": ...}}, from its login and never
 * from a header, as WSGI's REMOTE_USER and AUTH_TYPE. The mount point is WSGI's: a route ending in a catch-all
 * mounts the app where it matched, which with the context path is {@code root_path}; {@code path} is
 * the whole decoded path, {@code root_path} included, and {@code raw_path} the whole raw one, as
 * uvicorn sends them and Starlette 0.35+ expects. The glue leaves {@code root_path} out of
 * {@code path} for an app on an older Starlette (Debian's 0.26), which expects that.
 */
final class AsgiScope {
    private AsgiScope() {
    }

    static List<Object> of(HttpServletRequest request, String path, RouteMatch.Found found,
                           RequestContext.Settings context) {
        return parts(request, path, found, context, false);
    }

    private static List<Object> parts(HttpServletRequest request, String path, RouteMatch.Found found,
                                      RequestContext.Settings context, boolean webSocket) {
        String[] mount = found.mount(path);
        String rootPath = request.getContextPath() + mount[0];
        String protocol = request.getProtocol();
        List<Object> headers = new ArrayList<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            byte[] lower = name.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1);
            for (String value : Collections.list(request.getHeaders(name))) {
                headers.add(List.of(lower, value.getBytes(StandardCharsets.ISO_8859_1)));
            }
        }
        String query = request.getQueryString();
        return Arrays.asList(
                request.getMethod(),
                request.getScheme(),
                protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol,
                rootPath + mount[1],
                request.getRequestURI().getBytes(StandardCharsets.ISO_8859_1),
                rootPath,
                query == null ? new byte[0] : query.getBytes(StandardCharsets.ISO_8859_1),
                headers,
                List.of(request.getRemoteAddr(), (long) request.getRemotePort()),
                List.of(request.getLocalAddr(), (long) request.getLocalPort()),
                extensions(request, context, webSocket));
    }

    /**
     * remote_user when the container's login authenticated the request, and httpy.request, the
     * context httpy.request() gives the app's task (taken out of the scope before the app sees it);
     * the CallContext itself rides along for Java under AsgiApplication.CONTEXT. A WebSocket sends no
     * response headers to start or change a session with: its session is read-only, and Java takes
     * no writes back.
     */
    private static Map<String, Object> extensions(HttpServletRequest request, RequestContext.Settings settings,
                                                  boolean webSocket) {
        var extensions = new LinkedHashMap<String, Object>();
        if (request.getRemoteUser() instanceof String user) {
            var identity = new LinkedHashMap<String, Object>();
            identity.put("user", user);
            identity.put("auth_type", request.getAuthType());
            extensions.put("remote_user", identity);
        }
        if (RequestContext.of(request, settings) instanceof CallContext context) {
            if (webSocket) {
                var readOnly = new LinkedHashMap<>(context.forPython());
                readOnly.put("session_writes", false);
                extensions.put("httpy.request", readOnly);
            } else {
                extensions.put("httpy.request", context.forPython());
                extensions.put(AsgiApplication.CONTEXT, context);
            }
        }
        return extensions;
    }

    /**
     * A WebSocket scope's parts, in {@code _httpy_asgi.begin_websocket}'s order: the HTTP scope's
     * without the method, the scheme as ws or wss, and the subprotocols the client offered
     * (Sec-WebSocket-Protocol, in its order).
     */
    static List<Object> webSocket(HttpServletRequest request, String path, RouteMatch.Found found,
                                  RequestContext.Settings context) {
        List<Object> parts = new ArrayList<>(parts(request, path, found, context, true).subList(1, 11));
        parts.set(0, request.isSecure() ? "wss" : "ws");
        parts.add(subprotocols(request));
        return parts;
    }

    static List<String> subprotocols(HttpServletRequest request) {
        List<String> offered = new ArrayList<>();
        for (String header : Collections.list(request.getHeaders("Sec-WebSocket-Protocol"))) {
            for (String token : header.split(",")) {
                if (!token.isBlank()) {
                    offered.add(token.strip());
                }
            }
        }
        return offered;
    }
}
