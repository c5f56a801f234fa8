package dev.httpy.function;

import java.util.List;
import java.util.Map;

import dev.httpy.dispatch.CallContext;

/**
 * One HTTP request as the Python request function receives it:
 * {@code handler(method, path, params, query, headers, body)}.
 *
 * @param path    decoded, without the context path
 * @param params  the route's path parameters ({@code /users/:id} gives {@code {"id": ["7"]}})
 * @param query   decoded query parameters, repeated keys kept in order
 * @param headers request headers by canonical name ({@code Content-Type}), repeated ones kept
 * @param body    the raw body, empty when there is none
 * @param context what {@code httpy.request()} sees (the login, attributes, session), or null for an
 *                anonymous request with none of them
 */
public record PythonRequest(String method, String path, Map<String, List<String>> params,
                            Map<String, List<String>> query, Map<String, List<String>> headers, byte[] body,
                            CallContext context) {

    public PythonRequest(String method, String path, Map<String, List<String>> params,
                         Map<String, List<String>> query, Map<String, List<String>> headers, byte[] body) {
        this(method, path, params, query, headers, body, null);
    }

    /** The same request with the body that has now arrived. */
    public PythonRequest withBody(byte[] arrived) {
        return new PythonRequest(method, path, params, query, headers, arrived, context);
    }
}
