package dev.httpy.spring;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.httpy.servlet.HttpyInitializer;
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
 * lifecycle listener and the asynchronous filter on {@code /*}. It runs last of the servlet context
 * initializers, so the filter comes after Spring Security's: the login reaches Python.
 */
public final class HttpyServletInitializer implements ServletContextInitializer, Ordered {
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
        properties.settings().forEach(servletContext::setInitParameter);
        servletContext.setInitParameter("python.path", String.join(",", pythonPath(servletContext)));
        expose(servletContext);
        try {
            new HttpyInitializer().onStartup(Set.of(), servletContext);
        } catch (ServletException | RuntimeException e) {
            throw new ServletException(HttpyProperties.named(String.valueOf(e.getMessage())), e);
        }
        this.context = servletContext;
    }

    /** The servlet context once httpy was registered in it; null before. */
    ServletContext context() {
        return context;
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
