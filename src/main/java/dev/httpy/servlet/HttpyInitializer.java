package dev.httpy.servlet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;

/**
 * Adds httpy to a web app that names its Python app in context-params, so a WAR needs only the
 * dependency and no {@code web.xml} declarations: when {@code python.handler}, {@code python.wsgi} or
 * {@code python.asgi} is a context-param, it registers the {@link PythonLifecycleListener} and a
 * {@link PythonDispatchFilter} named {@code python}, asynchronous, mapped to {@code /*} after the
 * filters {@code web.xml} maps, whose init-params are the filter's {@code python.*} context-params
 * ({@link FilterSettings}).
 *
 * <p>Declarations in {@code web.xml} win: when it declares a PythonDispatchFilter, none is added and
 * the log names the context-params left unused; when it declares the listener too, that one starts
 * Python and the added one leaves it alone. The container finds this class through
 * {@code META-INF/services} (on Jetty, with its {@code ee11-annotations} module).
 */
public final class HttpyInitializer implements ServletContainerInitializer {
    private static final System.Logger LOG = System.getLogger(HttpyInitializer.class.getName());
    static final String FILTER_NAME = "python";
    /** The context-params that name the Python app; one of them turns the initializer on. */
    static final List<String> APP_PARAMS = List.of("python.handler", "python.wsgi", "python.asgi");

    /** What to register in a web app, decided from its context-params and the filters it declares. */
    sealed interface Decision {
        /**
         * No context-param names a Python app: {@code web.xml} configures httpy, or nothing does.
         * {@code unused} are the filter's context-params set anyway.
         */
        record Nothing(Set<String> unused) implements Decision {
        }

        /** The listener and the filter {@code python} with these init-params. */
        record AddFilter(Map<String, String> initParams) implements Decision {
        }

        /**
         * {@code web.xml} declares PythonDispatchFilters (these names): the listener only, so a
         * {@code web.xml} without one still starts Python; the filter's context-params are unused.
         */
        record DeclaredFilters(Set<String> filters, Set<String> unused) implements Decision {
        }
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        Map<String, String> params = new LinkedHashMap<>();
        for (String name : Collections.list(context.getInitParameterNames())) {
            params.put(name, context.getInitParameter(name));
        }
        Map<String, String> filters = new LinkedHashMap<>();
        context.getFilterRegistrations().forEach((name, filter) -> filters.put(name, filter.getClassName()));
        Decision decision;
        try {
            decision = decide(params, filters);
        } catch (IllegalArgumentException e) {
            throw new ServletException("httpy: " + e.getMessage(), e);
        }
        switch (decision) {
            case Decision.Nothing(var unused) -> {
                if (!unused.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "httpy: the context-params " + unused + " are settings of the"
                            + " filter httpy adds when one of " + APP_PARAMS + " is a context-param, and none is, so they"
                            + " are not used; name the Python app in one of those, or move them into your filter's"
                            + " init-params in web.xml");
                }
            }
            case Decision.DeclaredFilters(var declared, var unused) -> {
                addListener(context);
                LOG.log(System.Logger.Level.INFO, "httpy: web.xml declares the PythonDispatchFilter " + declared
                        + ", so no filter is added and the context-params " + unused + " are not used; give them"
                        + " as that filter's init-params, or remove its declaration to have them used");
            }
            case Decision.AddFilter(var initParams) -> {
                FilterRegistration.Dynamic filter = context.addFilter(FILTER_NAME, PythonDispatchFilter.class);
                filter.setAsyncSupported(true);
                filter.setInitParameters(initParams);
                filter.addMappingForUrlPatterns(null, true, "/*");
                addListener(context);
                LOG.log(System.Logger.Level.INFO, "httpy: added the filter " + FILTER_NAME + " (PythonDispatchFilter,"
                        + " asynchronous, /*) with the context-params " + new TreeMap<>(initParams)
                        + ", and PythonLifecycleListener");
            }
        }
    }

    /** The listener, handed the modules the app's filters name, which it may not read itself once added by code. */
    private static void addListener(ServletContext context) {
        context.addListener(new PythonLifecycleListener(PythonLifecycleListener.appModules(context)));
    }

    /**
     * What to register, given the web app's context-params and its filters (name to class);
     * throws IllegalArgumentException, naming it, for a bad filter context-param or a filter of
     * another class named {@code python}.
     */
    static Decision decide(Map<String, String> contextParams, Map<String, String> filters) {
        Map<String, String> filterParams = new LinkedHashMap<>();
        contextParams.forEach((name, value) -> {
            if (FilterSettings.KNOWN.contains(name)) {
                filterParams.put(name, value);
            }
        });
        boolean namesApp = APP_PARAMS.stream().anyMatch(name -> !isBlank(filterParams.get(name)));
        if (!namesApp) {
            return new Decision.Nothing(new TreeSet<>(filterParams.keySet()));
        }
        List<String> declared = new ArrayList<>();
        filters.forEach((name, className) -> {
            if (PythonDispatchFilter.class.getName().equals(className)) {
                declared.add(name);
            }
        });
        if (!declared.isEmpty()) {
            return new Decision.DeclaredFilters(new TreeSet<>(declared), new TreeSet<>(filterParams.keySet()));
        }
        if (filters.containsKey(FILTER_NAME)) {
            throw new IllegalArgumentException("web.xml declares a filter named " + FILTER_NAME + " ("
                    + filters.get(FILTER_NAME) + "), the name of the filter httpy adds for the context-params "
                    + new TreeSet<>(filterParams.keySet()) + "; rename that filter, or declare httpy's "
                    + PythonDispatchFilter.class.getName() + " in web.xml with them as its init-params");
        }
        FilterSettings.read("context-param", filterParams.keySet(), filterParams::get);
        return new Decision.AddFilter(Collections.unmodifiableMap(filterParams));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
