package dev.httpy.dispatch;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class RequestContextTest {

    /** Headers that claim a login the container never made: identity must never come from them. */
    private static final Map<String, String> SPOOFED = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        SPOOFED.put("Remote-User", "mallory");
        SPOOFED.put("X-Forwarded-User", "mallory");
        SPOOFED.put("Auth-Type", "BASIC");
    }

    /** A servlet request with these attributes and spoofed identity headers, no login and no session. */
    private static HttpServletRequest request(Map<String, Object> attributes) {
        return (HttpServletRequest) Proxy.newProxyInstance(RequestContextTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAttributeNames" -> Collections.enumeration(attributes.keySet());
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "isSecure" -> false;
                    case "getHeader" -> SPOOFED.get((String) args[0]);
                    case "getHeaderNames" -> Collections.enumeration(SPOOFED.keySet());
                    case "getHeaders" -> Collections.enumeration(SPOOFED.containsKey((String) args[0])
                            ? java.util.List.of(SPOOFED.get((String) args[0])) : java.util.List.of());
                    default -> null; // getRemoteUser, getSession(false): anonymous, none
                });
    }

    @Test
    void anAnonymousRequestWithOnlyTheContainersAttributesPassesNothing() {
        var tomcats = new LinkedHashMap<String, Object>();
        tomcats.put("org.apache.catalina.core.DISPATCHER_TYPE", DispatcherType.REQUEST);
        tomcats.put("org.apache.catalina.core.DISPATCHER_REQUEST_PATH", "/python");
        // httpy's own, which the dispatcher sets before an ASGI scope is read.
        tomcats.put("dev.httpy.dispatch.Dispatcher.started", 123_456_789L);
        assertNull(RequestContext.of(request(tomcats), RequestContext.Settings.DEFAULT),
                "no context, so no extra call into Python for the plain request");
    }

    @Test
    void theAppsAttributesPassAsStringsNumbersAndBooleansAndOthersAreNamedWithTheirType() {
        var attributes = new LinkedHashMap<String, Object>();
        attributes.put("tenant", "acme");
        attributes.put("count", 7);
        attributes.put("ratio", 0.25f);
        attributes.put("price", new BigDecimal("9.99"));
        attributes.put("org.apache.catalina.core.DISPATCHER_REQUEST_PATH", "/python");
        var context = RequestContext.of(request(attributes), RequestContext.Settings.DEFAULT);
        assertNotNull(context);
        assertEquals(Map.of("tenant", "acme", "count", 7L, "ratio", 0.25), context.forPython().get("attributes"));
        assertEquals(Map.of("price", "java.math.BigDecimal"), context.forPython().get("refused_attributes"),
                "never rounded or turned into a string");
        var named = RequestContext.of(request(attributes),
                new RequestContext.Settings(List.of(), List.of("org.apache.catalina.core.DISPATCHER_REQUEST_PATH"), "off"));
        assertEquals(Map.of("org.apache.catalina.core.DISPATCHER_REQUEST_PATH", "/python"),
                named.forPython().get("attributes"), "python.attributes may name any attribute");
    }
}
