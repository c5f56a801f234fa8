package dev.httpy.routing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The outcome of {@link RouteTable#match(String, String)}: exactly one of {@link Found},
 * {@link MethodNotListed} or {@link NotFound}.
 *
 * <p>Only {@link Found} means "send this request to Python". The other two fall through to the
 * rest of the servlet chain; {@link MethodNotListed} additionally carries the methods the
 * matching route accepts, so that a caller can answer 405 with an {@code Allow} header.
 */
public sealed interface RouteMatch {

    /**
     * The path matched {@code pattern} and the method is one the route accepts.
     *
     * @param pattern the route pattern as it was registered, e.g. {@code /users/:id}
     * @param params  parameter name to a one-element list holding the segment value, in pattern
     *                order; the one-element lists are the shape the Python side receives. Maps
     *                made by {@link RouteTable} are unmodifiable; empty ({@code Map.of()}) when the
     *                pattern has no parameters
     */
    record Found(String pattern, Map<String, List<String>> params) implements RouteMatch {
        public Found {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(params, "params");
        }

        /**
         * {@code path} split where the app is mounted: a route ending in a catch-all ({@code /app/*rest})
         * mounts the app at what precedes the catch-all's match, {mount, rest}; any other route at
         * the root, {"", path}. WSGI's SCRIPT_NAME and PATH_INFO, ASGI's root_path.
         */
        public String[] mount(String path) {
            int star = pattern.lastIndexOf("/*");
            if (star >= 0 && !params.isEmpty()) {
                // The catch-all is the last parameter; what it matched ends the path.
                String last = "";
                for (var values : params.values()) {
                    last = values.getFirst();
                }
                String rest = "/" + last;
                if (path.endsWith(rest)) {
                    return new String[] {path.substring(0, path.length() - rest.length()), rest};
                }
            }
            return new String[] {"", path};
        }
    }

    /**
     * The path matched {@code pattern}, but the route does not accept the request method.
     *
     * @param pattern the route pattern the path matched
     * @param allowed the methods that would have matched, in declaration order; includes
     *                {@code HEAD} when the route lists {@code GET}. Unmodifiable
     */
    record MethodNotListed(String pattern, Set<String> allowed) implements RouteMatch {
        public MethodNotListed {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(allowed, "allowed");
        }
    }

    /** No route pattern matches the path. */
    enum NotFound implements RouteMatch {
        INSTANCE
    }
}
