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
