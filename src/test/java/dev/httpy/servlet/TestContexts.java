package dev.httpy.servlet;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import jakarta.servlet.ServletContext;

/** The ServletContext the listener and filter unit tests start httpy in, without a container. */
final class TestContexts {
    private TestContexts() {
    }

    /**
     * A context at {@code /app} whose web app is the directory {@code webapp}: attributes kept in
     * {@code attributes}, context-params from {@code params}, log lines into {@code log}; with
     * {@code restricted}, it refuses what Section 4.4 of the Servlet specification refuses a
     * listener declared in a TLD (as {@code getFilterRegistrations}).
     */
    static ServletContext of(Map<String, Object> attributes, List<String> log, Map<String, String> params, Path webapp,
                             boolean restricted) {
        return (ServletContext) Proxy.newProxyInstance(TestContexts.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "removeAttribute" -> attributes.remove((String) args[0]);
                    case "getInitParameterNames" -> Collections.enumeration(params.keySet());
                    case "getInitParameter" -> params.get((String) args[0]);
                    case "getRealPath" -> webapp.resolve(((String) args[0]).substring(1)).toString();
                    case "getResourcePaths" -> null;
                    case "getFilterRegistrations" -> {
                        if (restricted) {
                            throw new UnsupportedOperationException("Section 4.4 of the Servlet specification");
                        }
                        yield Map.of();
                    }
                    case "getClassLoader" -> TestContexts.class.getClassLoader();
                    case "getContextPath" -> "/app";
                    case "log" -> log.add((String) args[0]);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test context";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
