package dev.httpy.spring;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.httpy.servlet.HttpyInitializer;
import dev.httpy.servlet.PythonDispatchFilter;
import dev.httpy.servlet.PythonExposures;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * What a WAR's {@code web.xml} context-params and httpy's {@code ServletContainerInitializer} do,
 * for Spring Boot's embedded container (which skips initializers found in jars): puts the
 * {@code httpy.*} properties in as {@code python.*} context-params, the Python code's directories
 * as {@code python.path}, exposes the Spring beans {@code httpy.beans} names, and registers the
 * lifecycle listener and the asynchronous filter on {@code /*}; the application's Micrometer
 * registry, when it has one, gets httpy's meters. It runs last of the servlet context
 * initializers, so the filter comes after Spring Security's: the login reaches Python.
 */
public final class HttpyServletInitializer implements ServletContextInitializer, Ordered {
    /** Where a Boot project's build step installs {@code python/requirements.txt}: {@code target/classes/python-packages}. */
    static final String DEFAULT_PACKAGES = "classpath:/python-packages/";
    private static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    private final HttpyProperties properties;
    private final ListableBeanFactory beans;
    private volatile ServletContext context;

    HttpyServletInitializer(HttpyProperties properties, ListableBeanFactory beans) {
        this.properties = properties;
        this.beans = beans;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void onStartup(ServletContext servletContext) throws ServletException {
        String packages = packages(servletContext.getClassLoader());
        properties.settings().forEach((name, value) -> {
            if (!name.equals("python.packages")) {
                servletContext.setInitParameter(name, value);
            }
        });
        if (packages != null) {
            servletContext.setInitParameter("python.packages", packages);
        }
        servletContext.setInitParameter("python.path", String.join(",", pythonPath(servletContext)));
        expose(servletContext);
        Object registry = meterRegistry();
        if (registry != null) {
            servletContext.setAttribute(PythonDispatchFilter.METER_REGISTRY_ATTRIBUTE, registry);
        }
        servletContext.setAttribute(PythonDispatchFilter.SETTING_NAMES_ATTRIBUTE,
                (java.util.function.UnaryOperator<String>) HttpyProperties::named);
        try {
            new HttpyInitializer().onStartup(Set.of(), servletContext);
        } catch (ServletException | RuntimeException e) {
            throw new ServletException(HttpyProperties.named(String.valueOf(e.getMessage())), e);
        }
        this.context = servletContext;
    }

    /**
     * The application's Micrometer {@code MeterRegistry} (Actuator's), for httpy's meters; null
     * without Micrometer or without one such bean. Looked up by name, so that Micrometer stays optional.
     */
    private Object meterRegistry() {
        try {
            Class<?> type = ClassUtils.forName(METER_REGISTRY, beans.getClass().getClassLoader());
            return beans.getBeanProvider(type).getIfUnique();
        } catch (ClassNotFoundException | LinkageError absent) {
            return null;
        }
    }

    /** The servlet context once httpy was registered in it; null before. */
    ServletContext context() {
        return context;
    }

    /**
     * {@code httpy.packages} as a directory: by default {@code classpath:/python-packages/} when the
     * class path has it (where the build step installs {@code requirements.txt} in a Boot project),
     * copied out of the fat jar as the code is; a directory as given; null for none.
     */
    private String packages(ClassLoader loader) {
        String given = properties.settings().get("python.packages");
        if (given == null && loader.getResource(DEFAULT_PACKAGES.substring("classpath:/".length())) == null) {
            return null;
        }
        String entry = given == null ? DEFAULT_PACKAGES : given.strip();
        if (!entry.startsWith("classpath:")) {
            return entry;
        }
        return ClasspathPython.directory(loader, "httpy.packages", entry, Path.of(System.getProperty("java.io.tmpdir")))
                .toString();
    }

    /** {@code httpy.path}'s entries as directories: {@code classpath:} ones taken out of the class path. */
    private List<String> pythonPath(ServletContext servletContext) {
        List<String> directories = new ArrayList<>();
        for (String entry : properties.path().split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.startsWith("classpath:")) {
                Path cache = Path.of(System.getProperty("java.io.tmpdir"));
                directories.add(ClasspathPython.directory(servletContext.getClassLoader(), trimmed, cache).toString());
            } else {
                directories.add(Path.of(trimmed).toAbsolutePath().toString());
            }
        }
        return directories;
    }

    private void expose(ServletContext servletContext) {
        String names = properties.beans();
        if (names == null || names.isBlank()) {
            return;
        }
        for (String name : names.split("[,\\s]+")) {
            if (name.isEmpty()) {
                continue;
            }
            if (!beans.containsBean(name)) {
                throw new IllegalArgumentException("property httpy.beans=" + names + ": no Spring bean is named " + name
                        + "; name a bean of this application (@Component(\"" + name + "\") or @Bean " + name + "())");
            }
            Object bean = beans.getBean(name);
            PythonExposures.expose(servletContext, name, bean, ClassUtils.getUserClass(bean));
        }
    }
}
