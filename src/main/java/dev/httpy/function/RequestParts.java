package dev.httpy.function;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Turns the servlet request's query string and headers into the {@code dict[str, list[str]]}
 * shapes the Python request function receives.
 */
final class RequestParts {
    private RequestParts() {
    }

    /**
     * Decodes a raw query string as UTF-8, {@code +} as space, keeping repeated keys in order. The
     * body is never read here: {@code getParameterMap} would consume a form POST.
     *
     * @throws IllegalArgumentException on broken percent-encoding, naming the bad part
     */
    static Map<String, List<String>> query(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        var query = new LinkedHashMap<String, List<String>>();
        int start = 0;
        while (start <= raw.length()) {
            int end = raw.indexOf('&', start);
            if (end < 0) {
                end = raw.length();
            }
            if (end > start) {
                String pair = raw.substring(start, end);
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                query.computeIfAbsent(key, k -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        return query;
    }

    /** Request headers by canonical name, repeated headers as several values. */
    static Map<String, List<String>> headers(HttpServletRequest request) {
        var headers = new LinkedHashMap<String, List<String>>();
        if (request.getHeaderNames() == null) {
            return headers; // the container hides headers from this app
        }
        for (String name : Collections.list(request.getHeaderNames())) {
            var values = headers.computeIfAbsent(canonicalName(name), k -> new ArrayList<>(1));
            values.addAll(Collections.list(request.getHeaders(name)));
        }
        return headers;
    }

    /**
     * {@code content-type} and {@code CONTENT-TYPE} become {@code Content-Type}, the way the seed's
     * Go server (and {@code textproto.CanonicalMIMEHeaderKey}) named them, whatever the client sent
     * (HTTP/2 sends lower case).
     */
    static String canonicalName(String name) {
        var out = new char[name.length()];
        boolean upper = true;
        for (int i = 0; i < out.length; i++) {
            char c = name.charAt(i);
            out[i] = upper ? Character.toUpperCase(c) : Character.toLowerCase(c);
            upper = c == '-';
        }
        return new String(out);
    }

    private static String decode(String part) {
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid percent-encoding in query parameter \"" + part + "\"", e);
        }
    }
}
