package dev.httpy.e2e;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/**
 * A plain Java servlet beside the Python routes: GET lists the request's session attributes as
 * Java sees them through {@link HttpSession#getAttribute}, one line each, sorted by name, with the
 * Java class of every value and of everything inside it. It never starts a session: without one
 * it answers 404.
 */
public final class SessionAttributesServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=utf-8");
        HttpSession session = request.getSession(false);
        if (session == null) {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            response.getWriter().print("no session here");
            return;
        }
        var out = new StringBuilder();
        for (String name : Collections.list(session.getAttributeNames()).stream().sorted().toList()) {
            out.append(name).append(" = ").append(describe(session.getAttribute(name))).append('\n');
        }
        response.getWriter().print(out);
    }

    private static String describe(Object value) {
        return switch (value) {
            case null -> "null";
            case String text -> "String \"" + text + "\"";
            case List<?> list -> typeName(list) + list.stream().map(SessionAttributesServlet::describe)
                    .collect(Collectors.joining(", ", "[", "]"));
            case Map<?, ?> map -> typeName(map) + map.entrySet().stream()
                    .map(e -> e.getKey() + "=" + describe(e.getValue())).collect(Collectors.joining(", ", "{", "}"));
            default -> typeName(value) + " " + value;
        };
    }

    /** The class name without {@code java.lang.} and {@code java.util.}, which every value here would repeat. */
    private static String typeName(Object value) {
        return value.getClass().getName().replaceFirst("^java\\.(lang|util)\\.", "");
    }
}
