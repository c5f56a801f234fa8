package dev.httpy.dispatch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * What Python's {@code httpy.request()} sees of the servlet request beyond the handler's arguments,
 * read on the container thread that received it: who the container's login authenticated, the
 * roles of {@code python.roles} it grants ({@code isUserInRole}, never a header), the request
 * attributes earlier filters and servlets set, and the HttpSession's values; and, back from
 * Python, what it wrote into the session.
 *
 * <p>Attributes pass when they are a string, number or boolean, session values also when they are
 * lists and maps of those; any other value is named with its Java type, and Python raises a
 * TypeError saying so when it reads it, rather than seeing it turned into a string.
 */
public final class RequestContext {
    /**
     * What of the Java side of a request Python may see, from the filter's settings.
     *
     * @param roles      {@code python.roles}: the roles {@code is_user_in_role} may ask about
     * @param attributes {@code python.attributes}: the request attributes it may read; null for all
     *                   but the container's own
     * @param session    {@code python.session}: {@code read-write}, {@code create} or {@code off}
     */
    public record Settings(List<String> roles, List<String> attributes, String session) {
        public static final Settings DEFAULT = new Settings(List.of(), null, "read-write");

        public Settings {
            roles = List.copyOf(roles);
            attributes = attributes == null ? null : List.copyOf(attributes);
        }
    }

    private RequestContext() {
    }

    /** The context of {@code request}, or null when there is nothing to tell (then Python sees an anonymous request). */
    public static CallContext of(HttpServletRequest request, Settings settings) {
        String user = request.getRemoteUser();
        Map<String, Object> attributes = new LinkedHashMap<>();
        Map<String, String> refusedAttributes = new LinkedHashMap<>();
        // On every Python request: the names as the container gives them, not copied into a list first.
        Iterator<String> names = settings.attributes() != null ? settings.attributes().iterator()
                : request.getAttributeNames().asIterator();
        while (names.hasNext()) {
            String name = names.next();
            if (settings.attributes() == null && containers(name)) {
                continue;
            }
            Object value = request.getAttribute(name);
            if (value == null) {
                continue;
            }
            Object plain = switch (value) {
                case String text -> text;
                case Boolean bool -> bool;
                case Long n -> n;
                case Integer n -> (long) n;
                case Short n -> (long) n;
                case Byte n -> (long) n;
                case Double n -> n;
                case Float n -> (double) n;
                default -> null; // BigDecimal and friends too: never rounded or turned into a string
            };
            if (plain != null) {
                attributes.put(name, plain);
            } else {
                refusedAttributes.put(name, value.getClass().getName());
            }
        }
        HttpSession session = settings.session().equals("off") ? null : request.getSession(false);
        boolean mayCreate = settings.session().equals("create");
        if (user == null && attributes.isEmpty() && refusedAttributes.isEmpty() && session == null && !mayCreate) {
            return null;
        }
        var context = new LinkedHashMap<String, Object>();
        context.put("user", user);
        context.put("auth_type", user == null ? null : request.getAuthType());
        context.put("secure", request.isSecure());
        List<String> granted = new ArrayList<>();
        if (user != null) {
            settings.roles().stream().filter(request::isUserInRole).forEach(granted::add);
        }
        context.put("roles", granted);
        context.put("checked_roles", settings.roles());
        context.put("attributes", attributes);
        context.put("refused_attributes", refusedAttributes);
        context.put("may_create_session", mayCreate);
        context.put("session_writes", !settings.session().equals("off"));
        if (session != null) {
            try {
                var values = new LinkedHashMap<String, Object>();
                var refused = new LinkedHashMap<String, String>();
                for (String name : Collections.list(session.getAttributeNames())) {
                    Object value = session.getAttribute(name);
                    String badType = unpassable(value);
                    if (badType == null) {
                        values.put(name, value);
                    } else {
                        refused.put(name, badType);
                    }
                }
                context.put("session", List.of(session.getId(), session.isNew(), values, refused));
            } catch (IllegalStateException invalidatedMeanwhile) {
                context.put("session", null);
            }
        } else {
            context.put("session", null);
        }
        return new CallContext(context, changes -> write(request, changes));
    }

    /**
     * The attributes the container and its libraries set on every request (Tomcat's dispatcher type
     * and path, Jetty's, the Servlet spec's forward and error ones, Weld's, httpy's own), not the app's: left out
     * unless python.attributes names them.
     */
    private static boolean containers(String name) {
        for (String prefix : CONTAINER_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static final List<String> CONTAINER_PREFIXES = List.of("jakarta.servlet.", "jakarta.websocket.",
            "org.apache.catalina.", "org.apache.tomcat.", "org.apache.coyote.", "org.eclipse.jetty.", "org.jboss.weld.", "dev.httpy.");

    /** The Java type of a session value Python cannot have, somewhere inside it, or null when it passes. */
    private static String unpassable(Object value) {
        if (value == null || value instanceof String || value instanceof Long || value instanceof Integer
                || value instanceof Short || value instanceof Byte || value instanceof Double || value instanceof Boolean) {
            return null;
        }
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (unpassable(item) instanceof String bad) {
                    return bad;
                }
            }
            return null;
        }
        if (value instanceof Map<?, ?> map) {
            for (var entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String)) {
                    return "a map with " + (entry.getKey() == null ? "null" : entry.getKey().getClass().getName()) + " keys";
                }
                if (unpassable(entry.getValue()) instanceof String bad) {
                    return bad;
                }
            }
            return null;
        }
        return value.getClass().getName();
    }

    /**
     * Python's session writes: {@code [create, {name: value}, [removed names]]}, on the worker
     * that ran the handler, before its answer is written (a new session's cookie goes with it).
     * Returns the cluster send an asynchronous request still needs ({@link SessionReplication}), or null.
     */
    private static Runnable write(HttpServletRequest request, List<?> changes) {
        boolean create = Boolean.TRUE.equals(changes.get(0));
        HttpSession session;
        try {
            session = request.getSession(create);
        } catch (IllegalStateException committed) {
            throw new IllegalStateException("Python wrote to the session after the response was committed: " + committed.getMessage());
        }
        if (session == null) {
            throw new IllegalStateException("Python wrote to the session, which ended while the handler ran");
        }
        ((Map<?, ?>) changes.get(1)).forEach((name, value) -> session.setAttribute((String) name, value));
        ((List<?>) changes.get(2)).forEach(name -> session.removeAttribute((String) name));
        // The send waits for the other nodes' acknowledgement: the caller runs it with the GIL released.
        return request.isAsyncStarted() ? () -> SessionReplication.afterAsyncWrite(session) : null;
    }
}
