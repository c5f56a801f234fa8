package dev.httpy.wsgi;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.httpy.routing.RouteMatch;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The CGI variables that say who and how: REMOTE_USER and AUTH_TYPE from the login, HTTPS from a secure connection. */
class WsgiEnvironTest {

    /** A request whose every header accessor answers, case-insensitively: a spoofed header is never invisible. */
    private static HttpServletRequest request(String user, boolean secure, Map<String, String> given) {
        var headers = new java.util.TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(given);
        return (HttpServletRequest) Proxy.newProxyInstance(WsgiEnvironTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> "GET";
                    case "getContextPath" -> "/ctx";
                    case "getContentLengthLong" -> -1L;
                    case "getServerName", "getRemoteAddr" -> "127.0.0.1";
                    case "getServerPort", "getRemotePort" -> 8443;
                    case "getProtocol" -> "HTTP/1.1";
                    case "getScheme" -> secure ? "https" : "http";
                    case "isSecure" -> secure;
                    case "getRemoteUser" -> user;
                    case "getAuthType" -> user == null ? null : "FORM";
                    case "getHeaderNames" -> Collections.enumeration(headers.keySet());
                    case "getHeaders" -> Collections.enumeration(headers.containsKey((String) args[0])
                            ? List.of(headers.get((String) args[0])) : List.of());
                    case "getHeader" -> headers.get((String) args[0]);
                    default -> null;
                });
    }

    private static final RouteMatch.Found ROUTE = new RouteMatch.Found("/p", Map.of());

    @Test
    void aSecureLoggedInRequestHasHttpsRemoteUserAndAuthType() {
        var environ = WsgiEnviron.of(request("alice", true, Map.of("Remote-User", "mallory", "Auth-Type", "NONE",
                "X-Forwarded-User", "mallory")), "/p", ROUTE);
        assertEquals("on", environ.get("HTTPS"));
        assertEquals("alice", environ.get("REMOTE_USER"), "the login, not a header");
        assertEquals("FORM", environ.get("AUTH_TYPE"));
        assertEquals("https", environ.get("wsgi.url_scheme"));
    }

    @Test
    void aPlainAnonymousRequestHasNoneOfThemWhateverItsHeadersSay() {
        var environ = WsgiEnviron.of(request(null, false, Map.of("Remote-User", "mallory", "Auth-Type", "BASIC",
                "Https", "on")), "/p", ROUTE);
        assertFalse(environ.containsKey("HTTPS"));
        assertFalse(environ.containsKey("REMOTE_USER"));
        assertFalse(environ.containsKey("AUTH_TYPE"));
        assertEquals("mallory", environ.get("HTTP_REMOTE_USER"));
        assertEquals("on", environ.get("HTTP_HTTPS"));
    }
}
