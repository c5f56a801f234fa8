package dev.httpy.spring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The {@code httpy.*} properties, each the WAR's {@code python.*} setting of the same name
 * ({@code httpy.workers} is {@code python.workers}), bound once from Spring's environment (any
 * property source: {@code application.properties}, YAML, the command line, the environment).
 * The WAR's names, defaults and checks apply; {@link #named} turns a check's message back into
 * property names.
 *
 * @param settings the settings as the WAR names them, {@code python.<name>}, without {@code httpy.beans}
 * @param beans    {@code httpy.beans}: Spring bean names to expose to Python, or null
 * @param path     {@code httpy.path}: where the Python code is; {@code classpath:/python/} by default
 */
record HttpyProperties(Map<String, String> settings, String beans, String path) {
    static final List<String> APP_PROPERTIES = List.of("httpy.handler", "httpy.wsgi", "httpy.asgi");
    static final String DEFAULT_PATH = "classpath:/python/";

    static HttpyProperties of(Environment environment) {
        Map<String, String> bound = Binder.get(environment).bind("httpy", Bindable.mapOf(String.class, String.class))
                .orElse(Map.of());
        Map<String, String> settings = new LinkedHashMap<>();
        new TreeMap<>(bound).forEach((name, value) -> {
            if (!name.equals("beans") && !name.equals("path")) {
                settings.put("python." + name, value);
            }
        });
        String path = bound.get("path");
        return new HttpyProperties(Map.copyOf(settings), bound.get("beans"),
                path == null || path.isBlank() ? DEFAULT_PATH : path);
    }

    /** A message of the WAR's checks, with its settings named as properties. */
    static String named(String message) {
        return message.replace("context-param ", "property ").replace("init-param ", "property ")
                .replaceAll("\\bpython\\.(?=[a-z])", "httpy.");
    }
}
