package dev.httpy.cdi;

import java.util.function.Supplier;

import dev.httpy.jep.HttpyInterpreter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jep.Interpreter;
import jep.JepConfig;

/**
 * Jep's API on the web app's Python, for Java code: {@code @Inject jep.Interpreter python;} then
 * {@code python.set("x", 5); python.exec("y = x * 2"); python.getValue("y")}.
 *
 * <p>Each request gets an interpreter of its own (request scope: its own globals, dropped when
 * the request ends), as each of Jep's threads has its own, so two requests never see each
 * other's variables. It runs in the web app's Python interpreter, beside the request handlers,
 * so it imports the same modules; printing goes to the container's log. The interpreters share
 * this bean's workers (two, up to eight while all are busy, queue 100), never the calling thread.
 * For an interpreter that outlives a request, {@link #open} one and close it yourself.
 */
@ApplicationScoped
public class JepInterpreters {
    private static final int WARM = 2;
    private static final int MAX = 8;
    private static final int QUEUE = 100;

    @Inject
    ServletContext context;
    /** Where the servlet context comes from outside CDI (Spring Boot's auto-configuration); null under CDI. */
    private final Supplier<ServletContext> contexts;

    private final AppWorkers workers = new AppWorkers("httpy-jep", WARM, MAX, QUEUE);

    /** For CDI, which injects the web app's servlet context. */
    public JepInterpreters() {
        this.contexts = null;
    }

    /** Outside CDI: the web app's servlet context, asked for at each use (null until httpy has started). */
    public JepInterpreters(Supplier<ServletContext> context) {
        this.contexts = context;
    }

    @Produces
    @RequestScoped
    @Typed(Interpreter.class)
    Interpreter requestInterpreter() {
        return open(new JepConfig());
    }

    void closeRequestInterpreter(@Disposes Interpreter interpreter) {
        interpreter.close();
    }

    /** A new interpreter on the web app's Python (include paths and redirections from {@code config}); close it when done. */
    public HttpyInterpreter open(JepConfig config) {
        return new HttpyInterpreter(config, workers.in(contexts == null ? context : contexts.get()));
    }

    @PreDestroy
    void stop() {
        workers.close();
    }
}
