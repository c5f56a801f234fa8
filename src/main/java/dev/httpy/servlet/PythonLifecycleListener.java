package dev.httpy.servlet;

import java.nio.file.Path;
import java.util.Collections;
import java.util.function.UnaryOperator;

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
    private static final System.Logger LOG = System.getLogger(PythonLifecycleListener.class.getName());
    static final String WELD_GUARD = "org.jboss.weld.context.ignore.guard";

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
        String weld = weldAdvice(context.getClassLoader(), context::getInitParameter);
        if (weld != null) {
            LOG.log(System.Logger.Level.WARNING, weld);
        }
    }

    /**
     * What to change when the web app has Weld with its nested-invocation guard on, or null. Python
     * requests are asynchronous and end on another thread than they start on, which that guard
     * reports as a container fault, twice per request, and its ThreadLocal pins the class loader.
     */
    static String weldAdvice(ClassLoader loader, UnaryOperator<String> initParameter) {
        try {
            Class.forName("org.jboss.weld.module.web.servlet.HttpContextLifecycle", false, loader);
        } catch (ClassNotFoundException | LinkageError noWeld) {
            return null;
        }
        if ("false".equalsIgnoreCase(String.valueOf(initParameter.apply(WELD_GUARD)).strip())) {
            return null;
        }
        return "httpy: this web app has Weld with its nested-invocation guard on, so Weld will log"
                + " WELD-000714 and WELD-000715 for every Python request (they are asynchronous and end on"
                + " another thread) and leave ThreadLocals behind that keep this app's classes after undeploy."
                + " Add the context-param " + WELD_GUARD + "=false to web.xml (and org.jboss.weld.context.mapping"
                + " limited to the servlets that use CDI); see README.md, \"Calling Python from Java\"";
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
