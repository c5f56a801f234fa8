package dev.httpy.servlet;

import java.nio.file.Path;
import java.util.Collections;

import dev.httpy.python.PythonRuntime;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Starts Python when the web app starts and stops this app's part of it when the app stops.
 *
 * <p>Declared in {@code web.xml}; reads the {@code python.*} context-params
 * ({@link RuntimeSettings}). A bad parameter or a Python that cannot start fails the deployment
 * with a message naming the parameter. The {@link PythonDispatchFilter} finds the runtime as the
 * context attribute {@link #RUNTIME_ATTRIBUTE}.
 */
public final class PythonLifecycleListener implements ServletContextListener {
    public static final String RUNTIME_ATTRIBUTE = PythonRuntime.class.getName();

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        var settings = RuntimeSettings.read(Collections.list(context.getInitParameterNames()),
                context::getInitParameter, context::getRealPath);
        var installation = settings.installation(getClass().getClassLoader(),
                Path.of(System.getProperty("java.io.tmpdir")));
        var runtime = PythonRuntime.start(installation, settings.paths(), settings.isolation());
        context.setAttribute(RUNTIME_ATTRIBUTE, runtime);
        context.log("httpy: Python " + runtime.version() + " from " + installation.library() + ", "
                + settings.isolation().name().toLowerCase() + " interpreter, sys.path starts with " + settings.paths());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        if (context.getAttribute(RUNTIME_ATTRIBUTE) instanceof PythonRuntime runtime) {
            context.removeAttribute(RUNTIME_ATTRIBUTE);
            runtime.close();
        }
    }
}
