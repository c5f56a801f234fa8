package dev.httpy.spring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.httpy.servlet.RuntimeSettings;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

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
    private static final System.Logger LOG = System.getLogger(HttpyProperties.class.getName());
    static final List<String> APP_PROPERTIES = List.of("httpy.handler", "httpy.wsgi", "httpy.asgi");
    static final String DEFAULT_PATH = "classpath:/python/";

    static HttpyProperties of(Environment environment) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String setting : new TreeSet<>(RuntimeSettings.names())) {
            String name = setting.substring("python.".length());
            String value = environment.getProperty("httpy." + name);
            if (value != null && !value.isBlank() && !name.equals("beans") && !name.equals("path")) {
                settings.put(setting, value);
            }
        }
        warnOfUnknown(environment);
        String path = environment.getProperty("httpy.path");
        return new HttpyProperties(Map.copyOf(settings), environment.getProperty("httpy.beans"),
                path == null || path.isBlank() ? DEFAULT_PATH : path);
    }

    /**
     * Only the settings' names are read, so an environment variable such as {@code HTTPY_HOME} (which
     * Spring's relaxed binding would read as {@code httpy.home}) is no setting unless it names one; a
     * property that names none (a typo) is a WARNING, as the WAR refuses an unknown context-param.
     */
    private static void warnOfUnknown(Environment environment) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return;
        }
        var sources = new ArrayList<PropertySource<?>>();
        configurable.getPropertySources().forEach(source -> {
            if (!StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(source.getName())) {
                sources.add(source);
            }
        });
        var bound = new Binder(ConfigurationPropertySources.from(sources))
                .bind("httpy", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        var unknown = new TreeSet<String>();
        bound.keySet().forEach(name -> {
            if (!RuntimeSettings.names().contains("python." + name)) {
                unknown.add("httpy." + name);
            }
        });
        if (!unknown.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "httpy: the properties " + unknown + " are no httpy settings and are"
                    + " not used; the settings are those of docs/parameters.md, python.<name> as httpy.<name>");
        }
    }

    /** A message of the WAR's checks, with its settings named as properties. */
    static String named(String message) {
        return message.replace("context-param ", "property ").replace("init-param ", "property ")
                .replaceAll("\\bpython\\.(?=[a-z])", "httpy.");
    }
}
