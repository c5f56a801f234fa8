package dev.httpy.servlet;

import dev.httpy.python.JavaObjects;
import dev.httpy.python.PythonExposed;
import jakarta.servlet.ServletContext;

/**
 * Exposing a web app's Java objects to its Python: after
 * {@code PythonExposures.expose(context, "pricing", pricing)}, the app's Python code calls
 * {@code httpy.java("pricing").total(3, 4)}, and only the methods annotated {@link PythonExposed}.
 *
 * <p>The objects belong to the one web app ({@code context}); no other web app's Python can reach
 * them. Any time works, before Python starts or after (a {@code ServletContextListener}, a servlet's
 * {@code init}); the same names serve every interpreter the app gets, a reload's too.
 */
public final class PythonExposures {
    /** The context attribute holding the web app's {@link JavaObjects}. */
    public static final String ATTRIBUTE = JavaObjects.class.getName();

    private PythonExposures() {
    }

    /**
     * Lets the web app's Python call {@code target}'s {@link PythonExposed} methods as
     * {@code httpy.java(name)}.
     *
     * @throws IllegalArgumentException naming the problem: a taken name, no exposed method, a
     *                                  method Python cannot call ({@link JavaObjects#expose})
     */
    public static void expose(ServletContext context, String name, Object target) {
        of(context).expose(name, target);
    }

    /** As above, with the methods read from {@code type}: for a proxy of that type (a CDI client proxy). */
    public static void expose(ServletContext context, String name, Object target, Class<?> type) {
        of(context).expose(name, target, type);
    }

    /** The web app's exposed objects, made on first use. */
    public static JavaObjects of(ServletContext context) {
        synchronized (context) {
            if (context.getAttribute(ATTRIBUTE) instanceof JavaObjects objects) {
                return objects;
            }
            var objects = new JavaObjects();
            context.setAttribute(ATTRIBUTE, objects);
            return objects;
        }
    }
}
