package dev.httpy.jep;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import dev.httpy.packages.PythonInstallation;
import dev.httpy.python.BundledSource;
import dev.httpy.python.Python;
import dev.httpy.python.PythonObject;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.runtime.Waits;
import dev.httpy.workers.PythonWorkers;
import jep.Interpreter;
import jep.JepConfig;
import jep.JepException;

/**
 * Jep's {@link Interpreter} on httpy's bridge: Jep code moves over by changing the constructor,
 * {@code new SubInterpreter(config)} or {@code new SharedInterpreter()} to
 * {@code new HttpyInterpreter(config)}, with no Jep native library and no pip build.
 *
 * <p><b>Where it runs.</b> {@code new HttpyInterpreter(config)} runs on the embedded CPython 3.14,
 * {@code new HttpyInterpreter(config, PythonInstallation.fromExecutable(...))} on a Python of your
 * own; both in the main interpreter of the process's one libpython, started with the first
 * interpreter and kept for the JVM's life (as Jep's MainInterpreter), and both print to
 * {@code System.out} and {@code System.err} unless the config redirects. Inside a web app,
 * {@code new HttpyInterpreter(config, runtime)} runs in the app's own interpreter (the runtime is
 * the context attribute {@code PythonLifecycleListener.RUNTIME_ATTRIBUTE}; CDI injects one,
 * {@code dev.httpy.cdi.JepInterpreters}), where printing goes to the container's log. Every
 * interpreter has a globals dict of its own, {@code __name__} {@code "__main__"}; modules and
 * {@code sys.path} are its Python interpreter's.
 *
 * <p><b>Threads.</b> Unlike Jep's, an interpreter may be used from any thread, virtual ones
 * included, and closed from any: each call runs on an httpy worker thread that keeps its Python
 * thread state, and the caller waits for it. The interpreter has one worker of its own (made by
 * the constructor, ended by {@link #close}), so calls from several threads run one at a time, in
 * the order they came; with {@link #HttpyInterpreter(JepConfig, PythonWorkers) shared workers}
 * they may interleave as Python threads do. A call has no time limit, as in Jep; interrupting the
 * waiting thread raises {@code TimeoutError} in the Python code and throws a JepException.
 *
 * <p><b>Values.</b> Java to Python: null, String, Boolean, Long, Integer, Short, Byte, Double,
 * Float, byte[] (bytes), List and other Collections and Object[] (list), Map (dict). Python to
 * Java, as Jep gives them: None null, str String, bool Boolean, int Long (BigInteger when it does
 * not fit), float Double, list ArrayList, tuple unmodifiable List, dict Map (a LinkedHashMap),
 * bytes and bytearray byte[]. Another value (a set, a function, an object) is a JepException
 * naming its type where Jep would return a {@code jep.python.PyObject}, which needs Jep's native
 * library; {@code getValue(expression, String.class)} gives its {@code str()}, as Jep does.
 *
 * <p><b>From the JepConfig</b> it takes the include paths (appended to {@code sys.path}) and the
 * stdout and stderr redirections ({@link JepSettings}); a redirected stream gets what the call
 * wrote once the call returns or fails, not line by line.
 *
 * <p><b>Errors.</b> A Python error is a JepException worded as Jep words it,
 * {@code <class 'ValueError'>: bad}, with the Python frames first in its stack trace and a
 * {@code dev.httpy.python.PythonException} (type, message, traceback) as its cause.
 * {@code SystemExit} is such an error here; Jep ends the JVM on it. After {@link #close} every
 * call throws a JepException.
 */
public final class HttpyInterpreter implements Interpreter {
    /** The glue module on the Python side. */
    static final String GLUE = "_httpy_jep";
    private static final String GLUE_SOURCE = BundledSource.read(HttpyInterpreter.class, GLUE + ".py");
    /** How long close() waits for the interpreter's calls to finish before it ends its worker anyway. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(4);
    private static final JepSettings NO_REDIRECT = new JepSettings(List.of(), null, null);

    private final JepSettings settings;
    private final PythonWorkers workers;
    private final boolean ownWorkers;
    private final long id;
    private volatile boolean closed;

    /** An interpreter on the embedded CPython 3.14, as {@code new SharedInterpreter()} would make one. */
    public HttpyInterpreter() {
        this(new JepConfig());
    }

    /** An interpreter on the embedded CPython 3.14. */
    public HttpyInterpreter(JepConfig config) {
        this(config, embedded());
    }

    /** An interpreter on {@code python}; a JVM holds one libpython, so a second installation is refused. */
    public HttpyInterpreter(JepConfig config, PythonInstallation python) {
        this(JepSettings.of(config).orOutput(System.out, System.err), standalone(python), null);
    }

    /**
     * An interpreter in {@code runtime}'s Python interpreter (a web app's), on one worker of its
     * own; the runtime stays open when this closes.
     */
    public HttpyInterpreter(JepConfig config, PythonRuntime runtime) {
        this(JepSettings.of(config), Objects.requireNonNull(runtime, "runtime"), null);
    }

    /**
     * An interpreter on {@code workers} (from {@link PythonWorkers#start}, which run in one
     * Python interpreter), shared with others: for many short-lived interpreters, such as one per
     * request. The workers stay up when this closes.
     */
    public HttpyInterpreter(JepConfig config, PythonWorkers workers) {
        this(JepSettings.of(config), null, Objects.requireNonNull(workers, "workers"));
    }

    private HttpyInterpreter(JepSettings settings, PythonRuntime runtime, PythonWorkers shared) {
        this.settings = settings;
        this.ownWorkers = shared == null;
        this.workers = ownWorkers ? ownWorker(runtime) : shared;
        try {
            this.id = run(py -> {
                py.call(py.cachedFunction("_httpy:load_module"), GLUE, GLUE_SOURCE);
                return (Long) py.call(glue(py, "open_interpreter"), settings.includePaths(),
                        settings.stdout() != null, settings.stderr() != null);
            }, 0, NO_REDIRECT);
        } catch (JepException e) {
            if (ownWorkers) {
                workers.close();
            }
            throw e;
        }
    }

    @Override
    public Object invoke(String name, Object... args) throws JepException {
        return invoke(name, args, null);
    }

    @Override
    public Object invoke(String name, Map<String, Object> kwargs) throws JepException {
        return invoke(name, null, kwargs);
    }

    /** Calls the global {@code name}, or an attribute of one by dot notation ({@code "obj.method"}). */
    @Override
    public Object invoke(String name, Object[] args, Map<String, Object> kwargs) throws JepException {
        checkOpen();
        if (name == null || name.isBlank()) {
            throw new JepException("Invalid function name.");
        }
        Object[] positional = args == null ? new Object[0] : args;
        return call(py -> py.call(glue(py, "invoke"), id, name, positional, kwargs));
    }

    /**
     * Runs one statement, compiled as Python's interactive prompt compiles it (an expression's
     * value is printed), and returns true; false, running nothing, for null or blank text, as
     * Jep's default (non-interactive) mode does.
     */
    @Override
    public boolean eval(String str) throws JepException {
        checkOpen();
        String statement = str == null ? "" : str.replace("\r", "");
        if (statement.isBlank()) {
            return false;
        }
        call(py -> py.call(glue(py, "eval_statement"), id, statement));
        return true;
    }

    @Override
    public void exec(String str) throws JepException {
        checkOpen();
        if (str != null) {
            call(py -> py.call(glue(py, "exec_source"), id, str));
        }
    }

    /** Runs a Python source file in this interpreter's globals. */
    @Override
    public void runScript(String script) throws JepException {
        checkOpen();
        if (script == null) {
            throw new JepException("Script filename cannot be null.");
        }
        var file = new File(script);
        if (!file.exists() || !file.canRead()) {
            throw new JepException("Invalid file: " + file.getAbsolutePath());
        }
        call(py -> py.call(glue(py, "run_script"), id, script));
    }

    /** The value of a Python expression, often a global's name, converted (see the class comment). */
    @Override
    public Object getValue(String str) throws JepException {
        checkOpen();
        return str == null ? null : valueOf(str, false).get(1);
    }

    /** As {@link #getValue(String)}, then as {@code clazz} or a JepException ({@link TypedValues}). */
    @Override
    public <T> T getValue(String str, Class<T> clazz) throws JepException {
        checkOpen();
        Objects.requireNonNull(clazz, "clazz");
        if (str == null) {
            return null;
        }
        var typed = valueOf(str, clazz != Object.class && clazz.isAssignableFrom(String.class));
        return TypedValues.as(clazz, (String) typed.get(0), typed.get(1));
    }

    /** [Python type name, value]; with {@code asText}, a value Java cannot take comes as its str(). */
    private List<?> valueOf(String expression, boolean asText) {
        return call(py -> (List<?>) py.call(glue(py, "get_value"), id, expression, asText));
    }

    @Override
    public void set(String name, Object v) throws JepException {
        checkOpen();
        if (name == null) {
            throw new JepException("Invalid name.");
        }
        call(py -> py.call(glue(py, "set_value"), id, name, v));
    }

    /**
     * Drops the globals and, for an interpreter with a worker of its own, ends it once the calls
     * queued before have run (at most 4 s, then their Python code gets {@code TimeoutError}).
     * Any thread may close; a second close does nothing.
     */
    @Override
    public void close() throws JepException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        var drop = new InterpreterCall<>(py -> py.call(glue(py, "close_interpreter"), id), id, NO_REDIRECT);
        boolean queued = workers.submit(drop);
        if (!ownWorkers) {
            return;
        }
        if (queued) {
            try {
                drop.result().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Ending the worker below stops whatever still runs.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.close();
    }

    @Override
    public String toString() {
        return "HttpyInterpreter " + id + (closed ? " (closed)" : "");
    }

    private void checkOpen() {
        if (closed) {
            throw new JepException("This HttpyInterpreter has been closed.");
        }
    }

    private <T> T call(Function<Python, T> work) {
        return run(work, id, settings);
    }

    /** Runs {@code work} on a worker and waits for it; every failure comes out as a JepException. */
    private <T> T run(Function<Python, T> work, long interpreterId, JepSettings output) {
        var call = new InterpreterCall<>(work, interpreterId, output);
        if (!workers.submit(call)) {
            throw new JepException("Python refused the call: its workers are stopping or their queue is full");
        }
        try {
            return Waits.await(call.result(), "Python");
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException && e.getCause() instanceof InterruptedException) {
                workers.interrupt(call);
                throw new JepException("interrupted while waiting for Python; TimeoutError was raised in the call", e);
            }
            throw JepErrors.of(e);
        }
    }

    private static PythonObject glue(Python py, String function) {
        return py.cachedFunction(GLUE + ":" + function);
    }

    private static PythonWorkers ownWorker(PythonRuntime runtime) {
        try {
            return PythonWorkers.start(runtime, "httpy-jep", 1, 1, 1000);
        } catch (RuntimeException e) {
            throw JepErrors.cannotStart(e);
        }
    }

    private static PythonInstallation embedded() {
        try {
            return StandalonePython.embedded();
        } catch (RuntimeException e) {
            throw JepErrors.cannotStart(e);
        }
    }

    private static PythonRuntime standalone(PythonInstallation python) {
        try {
            return StandalonePython.runtime(Objects.requireNonNull(python, "python"));
        } catch (RuntimeException e) {
            throw JepErrors.cannotStart(e);
        }
    }
}
