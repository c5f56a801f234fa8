package dev.httpy.servlet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

import dev.httpy.build.InstallRequirements;
import dev.httpy.packages.AppPaths;
import dev.httpy.packages.JarPackages;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Starts Python when the web app starts and stops this app's part of it when the app stops.
 *
 * <p>Declared in {@code web.xml}, or added by {@link HttpyInitializer} when a context-param names the
 * Python app (Spring Boot's auto-configuration runs that too); reads the {@code python.*} context-params
 * ({@link RuntimeSettings}). A bad parameter or a Python that cannot start fails the deployment
 * with a message naming the parameter. The {@link PythonDispatchFilter} finds the runtime as the
 * context attribute {@link #RUNTIME_ATTRIBUTE}.
 */
public final class PythonLifecycleListener implements ServletContextListener {
    public static final String RUNTIME_ATTRIBUTE = PythonRuntime.class.getName();
    private static final System.Logger LOG = System.getLogger(PythonLifecycleListener.class.getName());
    static final String WELD_GUARD = "org.jboss.weld.context.ignore.guard";

    /**
     * The runtime this listener started (a reload may have replaced it since); null when another listener of the web app had started one
     * (web.xml declares this listener and {@link HttpyInitializer} added it too): only the starter stops it.
     */
    private PythonRuntime started;
    /** The modules the app's filters name, when {@link HttpyInitializer} added this listener; else null. */
    private final List<String> givenModules;

    public PythonLifecycleListener() {
        this.givenModules = null;
    }

    /**
     * For {@link HttpyInitializer}, which reads {@link #appModules} for it: a listener added by code
     * may not read the filter registrations itself (Servlet spec 4.4; Tomcat and Jetty refuse).
     */
    PythonLifecycleListener(List<String> appModules) {
        this.givenModules = List.copyOf(appModules);
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            start(event.getServletContext());
        } catch (RuntimeException e) {
            String named = PythonDispatchFilter.asConfigured(event.getServletContext(), e.getMessage());
            if (named != null && !named.equals(e.getMessage())) {
                throw new IllegalArgumentException(named, e);
            }
            throw e;
        }
    }

    private void start(ServletContext context) {
        if (context.getAttribute(RUNTIME_ATTRIBUTE) != null) {
            context.log("httpy: Python already runs for this web app, started by another " + getClass().getSimpleName()
                    + " (one in web.xml, one added because a context-param names the Python app); this one leaves it to that");
            return;
        }
        var settings = RuntimeSettings.read(Collections.list(context.getInitParameterNames()),
                context::getInitParameter, context::getRealPath);
        Path cache = Path.of(System.getProperty("java.io.tmpdir"));
        var installation = settings.installation(getClass().getClassLoader(), cache);
        var jarPackages = packageJars(context, cache);
        if (!jarPackages.missing().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "httpy: no jar in WEB-INF/lib and no system library provides "
                    + jarPackages.missing() + ", so importing those packages will fail; add the jar that ships it"
                    + " (for org.bytedeco:numpy, org.bytedeco:openblas with the same linux-x86_64 classifier)");
        }
        var paths = new AppPaths(settings.paths(), packagesFor(settings, installation, context), jarPackages.pythonDirs());
        boolean replaced = settings.reload() || settings.maxRequests() > 0;
        var runtime = PythonRuntime.start(installation, paths, settings.isolation(),
                givenModules != null ? givenModules : appModules(context), settings.startTimeout(), replaced);
        runtime.exposeJava(PythonExposures.of(context));
        context.setAttribute(RUNTIME_ATTRIBUTE, runtime);
        started = runtime;
        if (replaced) {
            replaceable(context, settings, runtime, () -> reloading(settings, exposing(context,
                    PythonRuntime.start(installation, paths, runtime.isolation(), List.of(), settings.startTimeout(), true))));
            reloading(settings, runtime);
        }
        context.log("httpy: Python " + runtime.version() + " from " + installation.library() + ", "
                + runtime.isolation().name().toLowerCase() + " interpreter, sys.path starts with "
                + paths.code() + paths.siteDirs() + paths.packages()
                + (jarPackages.libraries().isEmpty() ? "" : "; loaded " + jarPackages.libraries()));
        String beans = context.getInitParameter("python.beans");
        if (beans != null && !beans.isBlank() && !hasCdi(context.getClassLoader())) {
            LOG.log(System.Logger.Level.WARNING, "httpy: context-param python.beans=" + beans + " names CDI beans, but"
                    + " this web app has no CDI (jakarta.enterprise.inject.spi.BeanManager is missing), so Python finds"
                    + " none of them; add Weld (weld-servlet-core) or expose the objects with PythonExposures.expose");
        }
        String weld = weldAdvice(context.getClassLoader(), context::getInitParameter);
        if (weld != null) {
            LOG.log(System.Logger.Level.WARNING, weld);
        }
    }

    /**
     * python.packages, unless the build step installed it for another Python than the one this web
     * app runs (its {@code .httpy-python} names that Python's SOABI): packages built for one ABI must
     * not load in another, and a venv's own packages must win over the WAR's.
     */
    static List<Path> packagesFor(RuntimeSettings settings, PythonInstallation installation, ServletContext context) {
        if (settings.packages() == null) {
            return List.of();
        }
        Path builtFor = settings.packages().resolve(InstallRequirements.BUILT_FOR);
        String version = installation.version();
        if (!Files.isRegularFile(builtFor) || version == null) {
            return List.of(settings.packages());
        }
        String abi;
        try {
            abi = Files.readString(builtFor).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + builtFor, e);
        }
        if (abi.startsWith("cpython-" + version.replace(".", "") + "-")) {
            return List.of(settings.packages());
        }
        String setting = settings.executable() != null ? "python.executable=" + settings.executable()
                : settings.library() != null ? "python.library=" + settings.library() : "the embedded Python";
        context.log("httpy: " + settings.packages() + " holds packages installed for " + abi + ", and this web app"
                + " runs Python " + version + " (" + setting + "), so they stay off its sys.path: it imports that"
                + " Python's own packages (a venv's site-packages). Install the app's requirements into that Python,"
                + " or point python.packages at packages built for it");
        return List.of();
    }

    /** Starts the {@link AppReplacer} that python.reload or python.max-requests asks for, if the interpreter allows. */
    private static void replaceable(ServletContext context, RuntimeSettings settings, PythonRuntime runtime,
                                    java.util.function.Supplier<PythonRuntime> fresh) {
        String asked = settings.reload() ? "python.reload" : "python.max-requests";
        if (runtime.isolation() == PythonRuntime.Isolation.MAIN) {
            // Only auto ends up here (RuntimeSettings refuses main with them): an extension chose the main interpreter.
            LOG.log(System.Logger.Level.WARNING, "httpy: " + asked + " is off: this web app runs in the main interpreter"
                    + " (an extension module refused a sub-interpreter; see the warning above), and a second copy of"
                    + " the app cannot load beside the first there; redeploy the web app instead");
            return;
        }
        var replacer = new AppReplacer(context, runtime, fresh, settings.reload() ? settings.paths() : List.of(),
                settings.maxRequests(), settings.maxRequestsJitter());
        context.setAttribute(AppReplacer.ATTRIBUTE, replacer);
        context.log("httpy: " + (settings.reload() ? "reloads the app when a file under " + settings.paths() + " changes"
                + (settings.maxRequests() > 0 ? ", and " : "") : "")
                + (settings.maxRequests() > 0 ? "replaces the app's interpreter after " + settings.maxRequests()
                + (settings.maxRequestsJitter() > 0 ? " to " + (settings.maxRequests() + settings.maxRequestsJitter()) : "")
                + " requests" : "")
                + "; each new interpreter costs memory until the old one ends (docs/reload.md, \"Live reload and request recycling\")");
    }

    /** A replacement interpreter reaches the same exposed Java objects. */
    private static PythonRuntime exposing(ServletContext context, PythonRuntime runtime) {
        runtime.exposeJava(PythonExposures.of(context));
        return runtime;
    }

    /** With python.reload, {@code runtime} writes no bytecode caches (see {@code _httpy.reloading}). */
    private static PythonRuntime reloading(RuntimeSettings settings, PythonRuntime runtime) {
        if (settings.reload()) {
            try {
                runtime.withGil(py -> py.call(py.cachedFunction("_httpy:reloading")));
            } catch (RuntimeException e) {
                runtime.close();
                throw e;
            }
        }
        return runtime;
    }

    /**
     * The packages of the jars in WEB-INF/lib; where there is none (Spring Boot's embedded
     * container), of the class path's jars named for this platform, inside a fat jar or not.
     */
    private static JarPackages packageJars(ServletContext context, Path cache) {
        List<Path> jars = libraryJars(context);
        return jars.isEmpty() ? JarPackages.loadFromClassPath(context.getClassLoader(), cache) : JarPackages.load(jars, cache);
    }

    /** The jars in WEB-INF/lib, as files (none when the WAR is not unpacked). */
    private static List<Path> libraryJars(ServletContext context) {
        var names = context.getResourcePaths("/WEB-INF/lib/");
        if (names == null) {
            return List.of();
        }
        return names.stream().filter(name -> name.endsWith(".jar")).sorted().map(context::getRealPath)
                .filter(Objects::nonNull).map(Path::of).toList();
    }

    /**
     * The modules the web app's Python filters name, imported at start-up when
     * {@code python.interpreter=auto} to choose the interpreter; not those of filters with a GIL
     * per worker, which run in interpreters of their own.
     */
    static List<String> appModules(ServletContext context) {
        List<String> modules = new ArrayList<>();
        for (var filter : context.getFilterRegistrations().values()) {
            if (!PythonDispatchFilter.class.getName().equals(filter.getClassName())
                    || "per-worker".equalsIgnoreCase(String.valueOf(filter.getInitParameter("python.gil")).strip())) {
                continue;
            }
            for (String param : List.of("python.handler", "python.wsgi", "python.asgi", "python.init")) {
                if (filter.getInitParameter(param) instanceof String spec && !spec.isBlank()) {
                    modules.add(spec.strip());
                }
            }
        }
        return modules;
    }

    private static boolean hasCdi(ClassLoader loader) {
        try {
            Class.forName("jakarta.enterprise.inject.spi.BeanManager", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError none) {
            return false;
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
                + " limited to the servlets that use CDI); see docs/java-and-python.md, \"Calling Python from Java (CDI)\"";
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        context.removeAttribute(Drain.ATTRIBUTE); // the filters, which drained, have stopped
        if (started == null) {
            return; // another instance of this listener started Python here, and stops it
        }
        started = null;
        if (context.getAttribute(AppReplacer.ATTRIBUTE) instanceof AppReplacer replacer) {
            context.removeAttribute(AppReplacer.ATTRIBUTE);
            replacer.close();
        }
        // The runtime serving now: a reload (AppReplacer) may have replaced the one this listener started.
        if (context.getAttribute(RUNTIME_ATTRIBUTE) instanceof PythonRuntime runtime) {
            context.removeAttribute(RUNTIME_ATTRIBUTE);
            runtime.close();
        }
    }
}
