package dev.httpy.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One position in the route tree: the place after a path segment. Mutated only while
 * {@link RouteTable#of} builds the tree; read-only afterwards.
 *
 * <p>The conflict rules keep the children mutually exclusive (a non-empty static segment never
 * sits beside a parameter, a catch-all sits beside nothing), so matching never backtracks.
 */
final class Node {

    /** The first pattern that passed through this node; conflict messages name it. */
    final String pattern;

    final Map<String, Node> statics = new HashMap<>();

    String paramName;
    Node param;

    String catchAllName;
    Route catchAll;

    /** The route whose pattern ends exactly here, if any. */
    Route route;

    Node(String pattern) {
        this.pattern = pattern;
    }

    /**
     * A registered route.
     *
     * @param pattern   as registered
     * @param methods   as declared, for {@code toString}
     * @param allowed   what actually matches: {@code methods}, plus HEAD when GET is listed
     * @param bare      the result of a match when the pattern has no parameters; built once, like
     *                  {@code notListed}, so that it costs nothing per request
     * @param notListed the result when the path matches but the method is not allowed
     */
    record Route(String pattern, Set<String> methods, Set<String> allowed,
                 RouteMatch.Found bare, RouteMatch.MethodNotListed notListed) {}
}
