package dev.httpy.cdi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.httpy.servlet.PythonExposures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.servlet.ServletContext;

/**
 * Exposes the CDI beans that the context-param {@code python.beans} names (comma-separated
 * {@code @Named} names) to the web app's Python, as {@code httpy.java(name)}, when the application
 * starts. Each is resolved once through the BeanManager; Python calls its client proxy, so a
 * normal-scoped bean is looked up per call as Java callers see it. Only its methods annotated
 * {@code @PythonExposed} are callable. A name no bean has, or a bean Python cannot call, fails the
 * deployment with a message naming it.
 */
@ApplicationScoped
public class PythonBeans {
    static final String PARAM = "python.beans";

    void expose(@Observes @Initialized(ApplicationScoped.class) ServletContext context, BeanManager beans) {
        String value = context.getInitParameter(PARAM);
        if (value == null || value.isBlank()) {
            return;
        }
        var exposed = new ArrayList<String>();
        for (String name : names(value)) {
            Bean<?> bean;
            try {
                bean = beans.resolve(beans.getBeans(name));
            } catch (RuntimeException ambiguous) {
                throw new IllegalArgumentException("context-param " + PARAM + "=" + value + ": more than one CDI bean is"
                        + " @Named(\"" + name + "\"): " + ambiguous.getMessage(), ambiguous);
            }
            if (bean == null) {
                throw new IllegalArgumentException("context-param " + PARAM + "=" + value + ": no CDI bean is @Named(\""
                        + name + "\"); name a bean of this web app (bean-discovery-mode and the @Named annotation)");
            }
            Object reference = beans.getReference(bean, bean.getBeanClass(), beans.createCreationalContext(bean));
            try {
                PythonExposures.expose(context, name, reference, bean.getBeanClass());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("context-param " + PARAM + "=" + value + ": " + e.getMessage(), e);
            }
            exposed.add(name);
        }
        context.log("httpy: CDI beans exposed to Python as httpy.java(name): " + exposed);
    }

    static List<String> names(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(n -> !n.isEmpty()).distinct().toList();
    }
}
