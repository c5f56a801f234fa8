package dev.httpy.routing;

import dev.httpy.routing.Node.Route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides which requests go to Python, with the pattern rules of Go's julienschmidt/httprouter.
 * Immutable and thread-safe once built.
 *
 * <p><b>Patterns</b> are paths relative to the web app's context path and start with {@code /}.
 * Each {@code /}-separated segment is one of:
 * <ul>
 *   <li>static text, matched exactly (case-sensitive);</li>
 *   <li>{@code :name}, matching one non-empty segment, i.e. up to the next {@code /};</li>
 *   <li>{@code *name}, only as the last segment, matching the rest of the path including
 *       slashes. Unlike httprouter the value has no leading slash: {@code /files/*path} gives
 *       {@code path=a/b.txt} for {@code /files/a/b.txt} and {@code path=""} for
 *       {@code /files/}, and does not match {@code /files}.</li>
 * </ul>
 * {@code /a} and {@code /a/} are different paths; nothing is redirected.
 *
 * <p><b>Conflicts</b> are rejected when the table is built, as httprouter does, so that every
 * path matches at most one pattern: at one position a parameter cannot have two names, cannot
 * sit beside a static segment ({@code /users/:id} with {@code /users/new}), and a catch-all
 * cannot sit beside anything. The one exception is the empty segment, which a parameter never
 * matches: {@code /users/} may coexist with {@code /users/:id}.
 *
 * <p><b>Methods</b> are HTTP tokens compared case-sensitively. A route listing {@code GET} also
 * matches {@code HEAD}. A path that matches a pattern with a method the route does not list is
 * {@link RouteMatch.MethodNotListed}, not a match.
 */
public final class RouteTable {

    /** The pattern {@link #matchAll()} reports in its matches. */
    public static final String MATCH_ALL_PATTERN = "/*";

    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private static final RouteTable MATCH_ALL = new RouteTable(null, Map.of(), List.of(), 0);
    private static final RouteMatch.Found MATCH_ALL_FOUND =
            new RouteMatch.Found(MATCH_ALL_PATTERN, Map.of());

    /** Null for the match-all table. */
    private final Node root;
    /**
     * Patterns without wildcards, by pattern: one lookup of the whole path, no substrings. The
     * tree would reach the same route, because static children are tried first.
     */
    private final Map<String, Route> staticRoutes;
    private final List<Route> routes;
    /** Sizes the params map so that it never rehashes while a path is matched. */
    private final int maxParams;

    private RouteTable(Node root, Map<String, Route> staticRoutes, List<Route> routes, int maxParams) {
        this.root = root;
        this.staticRoutes = staticRoutes;
        this.routes = routes;
        this.maxParams = maxParams;
    }

    /**
     * Builds a table from pattern to methods, in the map's iteration order.
     *
     * @param routes pattern to the HTTP methods it accepts, e.g. {@code "/users/:id" -> [GET]}
     * @return the validated table
     * @throws IllegalArgumentException naming the pattern and the fix, when a pattern is
     *                                  malformed, a method list is empty or holds a non-token,
     *                                  or two patterns conflict
     */
    public static RouteTable of(Map<String, ? extends Collection<String>> routes) {
        Objects.requireNonNull(routes, "routes");
        Node root = new Node(null);
        Map<String, Route> staticRoutes = new HashMap<>();
        List<Route> built = new ArrayList<>(routes.size());
        int maxParams = 0;
        for (Map.Entry<String, ? extends Collection<String>> entry : routes.entrySet()) {
            String pattern = entry.getKey();
            List<String> segments = parse(pattern);
            Route route = route(pattern, entry.getValue());
            insert(root, route, segments);
            built.add(route);
            int params = (int) segments.stream().filter(RouteTable::isWildcard).count();
            if (params == 0) {
                staticRoutes.put(pattern, route);
            }
            maxParams = Math.max(maxParams, params);
        }
        return new RouteTable(root, staticRoutes, List.copyOf(built), maxParams);
    }

    /**
     * A table that matches every path with every method, with empty params and the pattern
     * {@value #MATCH_ALL_PATTERN}; for a Python app that declares no routes.
     *
     * @return the shared match-all table
     */
    public static RouteTable matchAll() {
        return MATCH_ALL;
    }

    /**
     * Matches a request. Allocates nothing for a pattern without wildcards; otherwise walks the
     * tree once, allocating the params map and one substring per segment (the static-child
     * lookup key or the parameter value).
     *
     * @param method the request method, e.g. {@code GET}
     * @param path   the already-decoded path relative to the context path, e.g. {@code /users/42};
     *               a path not starting with {@code /} matches nothing (except in
     *               {@link #matchAll()})
     * @return {@link RouteMatch.Found}, {@link RouteMatch.MethodNotListed} or
     *         {@link RouteMatch.NotFound#INSTANCE}
     */
    public RouteMatch match(String method, String path) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        if (root == null) {
            return MATCH_ALL_FOUND;
        }
        if (path.isEmpty() || path.charAt(0) != '/') {
            return RouteMatch.NotFound.INSTANCE;
        }
        Route exact = staticRoutes.get(path);
        if (exact != null) {
            return exact.allowed().contains(method)
                    ? exact.bare()
                    : exact.notListed();
        }
        Node node = root;
        LinkedHashMap<String, List<String>> params = null;
        Route route;
        int start = 1;
        while (true) {
            if (node.catchAll != null) {
                params = put(params, node.catchAllName, path.substring(start));
                route = node.catchAll;
                break;
            }
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            Node next = node.statics.isEmpty() ? null : node.statics.get(path.substring(start, end));
            if (next == null && node.param != null && end > start) {
                params = put(params, node.paramName, path.substring(start, end));
                next = node.param;
            }
            if (next == null) {
                return RouteMatch.NotFound.INSTANCE;
            }
            node = next;
            if (end == path.length()) {
                route = node.route;
                break;
            }
            start = end + 1;
        }
        if (route == null) {
            return RouteMatch.NotFound.INSTANCE;
        }
        if (!route.allowed().contains(method)) {
            return route.notListed();
        }
        return params == null
                ? route.bare()
                : new RouteMatch.Found(route.pattern(), Collections.unmodifiableSequencedMap(params));
    }

    private LinkedHashMap<String, List<String>> put(
            LinkedHashMap<String, List<String>> params, String name, String value) {
        if (params == null) {
            params = LinkedHashMap.newLinkedHashMap(maxParams);
        }
        params.put(name, List.of(value));
        return params;
    }

    /** The routes for the startup log, e.g. {@code GET,POST /python; GET /users/:id}. */
    @Override
    public String toString() {
        if (root == null) {
            return "* " + MATCH_ALL_PATTERN;
        }
        if (routes.isEmpty()) {
            return "(no routes)";
        }
        return routes.stream()
                .map(r -> String.join(",", r.methods()) + " " + r.pattern())
                .collect(Collectors.joining("; "));
    }

    // ---- building ----

    private static List<String> parse(String pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException("a route pattern is null; write a path such as \"/users/:id\"");
        }
        if (!pattern.startsWith("/")) {
            throw invalid(pattern, "does not start with \"/\"; write \"/" + pattern + "\"");
        }
        List<String> segments = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int start = 1;
        while (true) {
            int end = pattern.indexOf('/', start);
            boolean last = end < 0;
            if (last) {
                end = pattern.length();
            }
            String segment = pattern.substring(start, end);
            if (isWildcard(segment)) {
                String name = segment.substring(1);
                if (name.isEmpty()) {
                    throw invalid(pattern, "has a " + (segment.charAt(0) == ':' ? "parameter" : "catch-all")
                            + " without a name; write \"" + segment + "name\"");
                }
                if (hasWildcardChar(name)) {
                    throw invalid(pattern, "has more than one wildcard in the segment \"" + segment
                            + "\"; give each parameter its own segment");
                }
                if (!names.add(name)) {
                    throw invalid(pattern, "uses the parameter name \"" + name
                            + "\" twice; give each parameter its own name");
                }
                if (segment.charAt(0) == '*' && !last) {
                    throw invalid(pattern, "has the catch-all \"" + segment
                            + "\" before the end; a catch-all must be the last segment");
                }
            } else if (hasWildcardChar(segment)) {
                throw invalid(pattern, "has a wildcard inside the segment \"" + segment
                        + "\"; a parameter must span a whole segment, as in \"/a/:id\"");
            }
            segments.add(segment);
            if (last) {
                return segments;
            }
            start = end + 1;
        }
    }

    private static boolean isWildcard(String segment) {
        return !segment.isEmpty() && (segment.charAt(0) == ':' || segment.charAt(0) == '*');
    }

    private static boolean hasWildcardChar(String text) {
        return text.indexOf(':') >= 0 || text.indexOf('*') >= 0;
    }

    private static Route route(String pattern, Collection<String> methods) {
        if (methods == null || methods.isEmpty()) {
            throw invalid(pattern, "has no methods; list at least one, e.g. GET");
        }
        SequencedSet<String> declared = new LinkedHashSet<>();
        for (String method : methods) {
            if (!isToken(method)) {
                throw invalid(pattern, "has the invalid method " + (method == null ? "null" : "\"" + method + "\"")
                        + "; a method is a non-empty HTTP token of letters, digits and " + TCHAR_SYMBOLS
                        + ", e.g. GET");
            }
            declared.add(method);
        }
        SequencedSet<String> allowed = new LinkedHashSet<>(declared);
        if (allowed.contains("GET")) {
            allowed.add("HEAD"); // servlet containers answer HEAD by running GET without the body
        }
        Set<String> allowedView = Collections.unmodifiableSequencedSet(allowed);
        return new Route(pattern,
                Collections.unmodifiableSequencedSet(declared),
                allowedView,
                new RouteMatch.Found(pattern, Map.of()),
                new RouteMatch.MethodNotListed(pattern, allowedView));
    }

    private static boolean isToken(String method) {
        if (method == null || method.isEmpty()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && TCHAR_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static void insert(Node root, Route route, List<String> segments) {
        String pattern = route.pattern();
        Node node = root;
        for (String segment : segments) {
            if (node.catchAll != null) {
                throw conflict(pattern, node.catchAll.pattern(), "a catch-all matches everything at its position,"
                        + " so nothing else may be there; move one of them under a different prefix");
            }
            if (segment.startsWith("*")) {
                String other = anyChildPattern(node);
                if (other != null) {
                    throw conflict(pattern, other, "a catch-all matches everything at its position,"
                            + " so nothing else may be there; move one of them under a different prefix");
                }
                node.catchAllName = segment.substring(1);
                node.catchAll = route;
                return;
            }
            if (segment.startsWith(":")) {
                String name = segment.substring(1);
                String other = nonEmptyStaticPattern(node);
                if (other != null) {
                    throw conflict(pattern, other, "a parameter cannot share its position with a static"
                            + " segment; move one of them under a different prefix");
                }
                if (node.param == null) {
                    node.paramName = name;
                    node.param = new Node(pattern);
                } else if (!node.paramName.equals(name)) {
                    throw conflict(pattern, node.param.pattern, "a segment can have one parameter name only;"
                            + " use \":" + node.paramName + "\" in both");
                }
                node = node.param;
            } else {
                // A parameter never matches an empty segment, so "/users/" may sit beside "/users/:id".
                if (!segment.isEmpty() && node.param != null) {
                    throw conflict(pattern, node.param.pattern, "a parameter cannot share its position with a"
                            + " static segment; move one of them under a different prefix");
                }
                node = node.statics.computeIfAbsent(segment, s -> new Node(pattern));
            }
        }
        if (node.route != null) {
            throw conflict(pattern, node.route.pattern(), "both match the same paths; keep one of them");
        }
        node.route = route;
    }

    private static String anyChildPattern(Node node) {
        if (node.param != null) {
            return node.param.pattern;
        }
        return node.statics.values().stream().map(n -> n.pattern).findFirst().orElse(null);
    }

    private static String nonEmptyStaticPattern(Node node) {
        return node.statics.entrySet().stream()
                .filter(e -> !e.getKey().isEmpty())
                .map(e -> e.getValue().pattern)
                .findFirst().orElse(null);
    }

    private static IllegalArgumentException invalid(String pattern, String problem) {
        return new IllegalArgumentException("route \"" + pattern + "\" " + problem);
    }

    private static IllegalArgumentException conflict(String pattern, String other, String why) {
        return new IllegalArgumentException("route \"" + pattern + "\" conflicts with \"" + other + "\": " + why);
    }
}
