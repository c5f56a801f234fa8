package dev.httpy.servlet;

import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A start-up error names the setting as the user wrote it: {@code init-param python.workers} in a
 * WAR, {@code property httpy.workers} in a Spring Boot application, whose auto-configuration gives
 * the context the renaming.
 */
class SettingNamesTest {
    private final Map<String, Object> attributes = new HashMap<>();

    private ServletContext context() {
        return (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "getContextPath" -> "";
                    default -> null;
                });
    }

    private FilterConfig config(ServletContext context, Map<String, String> params) {
        return (FilterConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {FilterConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getServletContext" -> context;
                    case "getFilterName" -> "python";
                    case "getInitParameterNames" -> Collections.enumeration(List.copyOf(params.keySet()));
                    case "getInitParameter" -> params.get((String) args[0]);
                    default -> null;
                });
    }

    private String startFailure(Map<String, String> params) {
        var filter = new PythonDispatchFilter();
        var failure = assertThrows(ServletException.class, () -> filter.init(config(context(), params)));
        return failure.getMessage();
    }

    @Test
    void aWarsErrorNamesTheInitParam() {
        String message = startFailure(Map.of("python.handler", "app:go", "python.workers", "many"));
        assertTrue(message.contains("init-param python.workers=many"), message);
    }

    @Test
    void aSpringBootAppsErrorNamesTheProperty() {
        attributes.put(PythonDispatchFilter.SETTING_NAMES_ATTRIBUTE, (UnaryOperator<String>) m ->
                m.replace("init-param ", "property ").replaceAll("\\bpython\\.(?=[a-z])", "httpy."));
        String message = startFailure(Map.of("python.handler", "app:go", "python.workers", "many"));
        assertTrue(message.contains("property httpy.workers=many"), message);
        assertEquals(-1, message.indexOf("python.workers"), message);
    }
}
