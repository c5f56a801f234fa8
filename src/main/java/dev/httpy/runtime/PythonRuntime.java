package dev.httpy.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.python.AppInterpreter;
import dev.httpy.python.BundledSource;
import dev.httpy.python.CPython;
import dev.httpy.python.GilWaits;
import dev.httpy.python.Interpreter;
import dev.httpy.python.JavaCalls;
import dev.httpy.python.JavaObjects;
import dev.httpy.python.LibPython;
import dev.httpy.python.Python;
import dev.httpy.python.PythonExposed;

/**
 * The embedded CPython as one web app uses it: started by the app's lifecycle listener, closed when
 * the app stops.
 *
 * <p>CPython itself is process-wide and is never finalised ({@link CPython}): {@link #start}
 * initialises it if nobody in this JVM has yet and otherwise joins it. Each web app then runs in
 * a sub-interpreter of its own ({@link Isolation#ISOLATED}, the default: its own
 * {@code sys.modules} and {@code sys.path}, ended with the app) or, for extension modules that
 * refuse sub-interpreters, in the shared main interpreter ({@link Isolation#MAIN}: the app's
 * modules are dropped when it stops). One JVM runs one libpython; a second web app asking for
 * another is refused with a message saying so.
 *
 * <p>Threads: one owner thread per app, made by {@link #start} and ended by {@link #close}, does
 * the start-up, every {@link #withGil} call and the close. Requests run on platform threads that
 * keep one thread state for life: a pool's workers ({@link PythonThreads}), or any platform thread
 * through {@link #onThisThread}. Never on a virtual thread.
 */
public final class PythonRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PythonRuntime.class.getName());
    /** How often the owner thread looks for threads that died with thread states in this app. */
    private static final long SWEEP_MILLIS = 5_000;
    /** How long close() lets onThisThread calls finish before it raises TimeoutError in them, and after. */
    private static final Duration CALLS_GRACE = Duration.ofSeconds(4);
    private static final Duration AFTER_TIMEOUT_GRACE = Duration.ofSeconds(1);

    /** Where a web app's Python code runs. */
    public enum Isolation {
        /**
         * A sub-interpreter of the app's own, sharing the GIL; ended when the app stops. From
         * Python 3.12 on it refuses extension modules that do not declare they can load in one (as
         * an own-GIL interpreter does), so that such a module fails cleanly at import instead of
         * failing later, or for good, in another interpreter.
         */
        ISOLATED,
        /** The process-wide main interpreter, shared with other MAIN apps. */
        MAIN,
        /**
         * ISOLATED, unless importing the app's modules at start-up ({@code start}'s
         * {@code modules}) meets an extension module that refuses sub-interpreters (numpy): then
         * MAIN, and a warning names the module.
         */
        AUTO
    }

    private final LibPython lib;
    private final PythonInstallation installation;
    private final String glue;
    /** The source of the public {@code httpy} module, loaded into every interpreter of the app. */
    private final String httpyModule;
    /** The source of the glue's WSGI half, {@code _httpy_wsgi}, loaded with the glue into every interpreter of the app. */
    private final String wsgiGlue;
    /** Python calling the app's exposed Java objects; made once the isolation is known. */
    private JavaCalls javaCalls;
    private final AppPaths appPaths;
    private final OwnerThread owner;
    /** ISOLATED or MAIN, set on the owner thread before start() returns. */
    private volatile Isolation isolation;
    /** The app's interpreter as the owner thread holds it; null until the start made it, or when that failed. */
    private AppInterpreter app;
    private CallerThreads callers;
    /** python.start-timeout: how long each start-up's Python work may take; ZERO for no limit. */
    private volatile Duration startTimeout = Duration.ZERO;
    /** What a start step that overran was doing; then the owner thread is stuck in it and close() leaves it. */
    private volatile String stuckIn;
    /** One start step at a time in this JVM arms faulthandler's process-wide timer. */
    private static final java.util.concurrent.atomic.AtomicBoolean WATCHING = new java.util.concurrent.atomic.AtomicBoolean();
    /** Web apps running in the main interpreter now; on 3.10/3.11 auto gives it to the first only. */
    private static final java.util.concurrent.atomic.AtomicInteger IN_MAIN = new java.util.concurrent.atomic.AtomicInteger();
    /** The runtime that has the main interpreter to itself, whose Python may call its Java objects; null when none has. */
    private static PythonRuntime aloneInMain;
    private static final String SHARED_MAIN = "this web app shares the main interpreter with another web app in this"
            + " JVM, where each could reach the other's Java objects, so httpy exposes none there; give one of them its"
            + " own interpreter (python.interpreter=isolated) to call Java";
    private volatile boolean countedInMain;
    private volatile boolean closed;
    private boolean closing;
    /** Every worker pool started here, stopped (if their owners have not) before the interpreter ends. */
    private final List<PythonThreads> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    private PythonRuntime(LibPython lib, PythonInstallation installation, String glue, AppPaths appPaths,
                          OwnerThread owner) {
        this.lib = lib;
        this.installation = installation;
        this.glue = glue;
        this.httpyModule = BundledSource.read(Python.class, "httpy.py");
        this.wsgiGlue = BundledSource.read(Python.class, "_httpy_wsgi.py");
        this.appPaths = appPaths;
        this.owner = owner;
    }

    /** Loads and, if needed, initialises CPython from {@code installation}, with the app's directories on {@code sys.path}. */
    public static PythonRuntime start(PythonInstallation installation, AppPaths appPaths, Isolation isolation) {
        return start(installation, appPaths, isolation, List.of());
    }

    /** As below, with no start-up time limit, for an app that needs no second interpreter. */
    public static PythonRuntime start(PythonInstallation installation, AppPaths appPaths, Isolation isolation,
                                      List<String> modules) {
        return start(installation, appPaths, isolation, modules, Duration.ZERO, false);
    }

    /**
     * As above; with {@link Isolation#AUTO} it chooses the interpreter by the Python version:
     * <ul>
     *   <li>3.12+: imports {@code modules} (the app's, as {@code module} or {@code module:function})
     *       in a sub-interpreter, which refuses an extension module that cannot load there; on such
     *       a refusal, the main interpreter (a WARNING names the module). Their other import errors
     *       are left for whoever imports them next.</li>
     *   <li>3.10 and 3.11: a sub-interpreter cannot refuse such a module there, and one that calls
     *       {@code PyGILState_Ensure} while it loads (pybind11's scipy and scikit-learn) hangs the
     *       import for good, so the app gets the main interpreter (INFO says why), unless another web
     *       app in this JVM already runs there, or {@code needsCopies} (python.reload or
     *       python.max-requests, which need interpreters of their own): then a sub-interpreter, and a
     *       WARNING says what it risks.</li>
     * </ul>
     *
     * @param startTimeout python.start-timeout: the longest each start-up's Python work may take
     *                     ({@link #startStep}); {@link Duration#ZERO} for no limit
     */
    public static PythonRuntime start(PythonInstallation installation, AppPaths appPaths, Isolation isolation,
                                      List<String> modules, Duration startTimeout, boolean needsCopies) {
        long began = System.nanoTime();
        // Two web apps may start at the same moment; CPython is initialised once.
        synchronized (CPython.LOCK) {
            LibPython lib = CPython.load(installation);
            if (isolation == Isolation.AUTO && lib.minor() < 12) {
                isolation = oldPythonsChoice(lib, needsCopies);
            }
            if (isolation != Isolation.AUTO) {
                return startAs(lib, installation, appPaths, isolation, startTimeout);
            }
            var runtime = startAs(lib, installation, appPaths, Isolation.ISOLATED, startTimeout);
            if (modules.isEmpty()) {
                return runtime;
            }
            Object refused;
            try {
                refused = runtime.startStep("importing the app's modules " + modules + " to choose its interpreter"
                        + " (python.interpreter=auto)", began, py -> py.callModuleFunction("_httpy", "refusing_module",
                        modules.stream().map(m -> m.replaceFirst(":.*", "")).distinct().toList()));
            } catch (RuntimeException | Error e) {
                runtime.close();
                throw e;
            }
            if (refused == null) {
                return runtime;
            }
            runtime.close();
            LOG.log(System.Logger.Level.WARNING, "the extension module {0} refuses to load in a sub-interpreter, so"
                    + " this web app runs in the main interpreter, which every web app in this JVM with"
                    + " python.interpreter=main shares; set the context-param python.interpreter=main to say so"
                    + " (and skip this first try)", refused);
            return startAs(lib, installation, appPaths, Isolation.MAIN, startTimeout);
        }
    }

    /** What python.interpreter=auto means on Python 3.10 and 3.11 (see {@link #start}). */
    private static Isolation oldPythonsChoice(LibPython lib, boolean needsCopies) {
        String risk = "extension modules that call PyGILState_Ensure while they load (pybind11's: scipy,"
                + " scikit-learn and most ML libraries) hang there on Python " + lib.version() + "; set"
                + " python.interpreter explicitly to choose";
        if (needsCopies) {
            LOG.log(System.Logger.Level.WARNING, "python.interpreter=auto: a sub-interpreter for this web app, because"
                    + " python.reload or python.max-requests needs interpreters of its own; " + risk);
            return Isolation.ISOLATED;
        }
        if (IN_MAIN.get() > 0) {
            LOG.log(System.Logger.Level.WARNING, "python.interpreter=auto: a sub-interpreter for this web app, because"
                    + " another web app in this JVM runs in the main interpreter already; " + risk);
            return Isolation.ISOLATED;
        }
        LOG.log(System.Logger.Level.INFO, "python.interpreter=auto: the main interpreter for this web app, because on"
                + " Python {0} a sub-interpreter cannot refuse an extension module that does not support it, and"
                + " one that calls PyGILState_Ensure while it loads (pybind11''s: scipy, scikit-learn) would hang"
                + " there; Python 3.12+ chooses by trying (python.interpreter=isolated forces a sub-interpreter,"
                + " which Java calls and python.reload need)", lib.version());
        return Isolation.MAIN;
    }

    private static PythonRuntime startAs(LibPython lib, PythonInstallation installation, AppPaths appPaths,
                                         Isolation isolation, Duration startTimeout) {
        var owner = new OwnerThread("httpy-python-owner", SWEEP_MILLIS);
        var runtime = new PythonRuntime(lib, installation, BundledSource.read(Python.class, "_httpy.py"), appPaths, owner);
        runtime.startTimeout = startTimeout;
        try {
            owner.call(() -> {
                runtime.startOnOwner(isolation);
                return null;
            });
        } catch (RuntimeException | Error e) {
            owner.stop(runtime::stopOwner);
            throw e;
        }
        owner.onIdle(runtime::sweepQuietly);
        return runtime;
    }

    private void startOnOwner(Isolation isolation) throws Throwable {
        this.isolation = isolation;
        String refusal = null;
        if (isolation == Isolation.MAIN) {
            countedInMain = true;
            synchronized (IN_MAIN) {
                if (IN_MAIN.incrementAndGet() == 1) {
                    aloneInMain = this;
                } else {
                    refusal = SHARED_MAIN;
                    if (aloneInMain != null) {
                        aloneInMain.javaCalls.withdraw(SHARED_MAIN);
                        aloneInMain = null;
                        LOG.log(System.Logger.Level.WARNING, "a second web app now runs in the main interpreter, so"
                                + " httpy.java() finds no Java object in either from now on (each could reach the"
                                + " other's); give one of them python.interpreter=isolated to keep calling Java");
                    }
                }
            }
        }
        javaCalls = new JavaCalls(lib, refusal, isolation == Isolation.MAIN);
        app = AppInterpreter.open(lib, installation, glue, isolation == Isolation.ISOLATED);
        callers = new CallerThreads(app.interpreter());
        app.withPython(py -> {
            prepare(py);
            return null;
        });
    }

    /**
     * Lets Python code in this runtime's interpreters call the {@link PythonExposed} methods of
     * {@code objects}, through {@code httpy.java(name)}; objects exposed there later are found too.
     * In the main interpreter ({@link Isolation#MAIN}) only while this web app has it to itself:
     * once another joins, {@code httpy.java} raises LookupError in both, saying why.
     */
    public void exposeJava(JavaObjects objects) {
        checkOpen();
        javaCalls.use(objects);
    }

    /** Where the app's code runs: {@link Isolation#ISOLATED} or {@link Isolation#MAIN}, never AUTO. */
    public Isolation isolation() {
        return isolation;
    }

    /** The Python version, such as {@code 3.14.3}. */
    public String version() {
        return lib.version();
    }

    /**
     * The interpreter the app's code runs in, for threads that run it there on their own
     * ({@link PythonThreads}, such as a pool of workers), which the runtime must then {@link #adopt}.
     */
    public Interpreter interpreter() {
        checkOpen();
        return app.interpreter();
    }

    /** The installation's site-packages, for one more interpreter of the app's ({@link #prepare}). */
    public List<Path> sitePackages() {
        return installation.sitePackages();
    }

    /**
     * Readies one more interpreter for the app (a worker's, with a GIL of its own) as the app's
     * own was readied: the glue, the {@code httpy} module, logs to the container, the app's
     * directories on {@code sys.path}. With the GIL of that interpreter held.
     */
    public void prepare(Python py) {
        py.loadGlue(glue);
        py.callModuleFunction("_httpy", "load_module", "_httpy_wsgi", wsgiGlue);
        py.callModuleFunction("_httpy", "install");
        javaCalls.bind(py, httpyModule);
        py.callModuleFunction("_httpy", "add_paths", appPaths.strings(appPaths.code()),
                appPaths.strings(appPaths.siteDirs()), appPaths.strings(appPaths.packages()));
    }

    /**
     * Stops {@code threads} when this runtime closes, before its interpreter ends. Once the
     * runtime is closed, stops them at once and refuses.
     */
    public void adopt(PythonThreads threads) {
        started.add(threads);
        if (closed) {
            started.remove(threads);
            threads.close();
            checkOpen();
        }
    }

    /**
     * Runs {@code work} with the GIL on the app's owner thread and waits for it: for start-up and
     * shutdown work, never per request (it queues behind other such work). Any thread may call it.
     */
    public <T> T withGil(Function<Python, T> work) {
        checkOpen();
        return owner.call(() -> app.withPython(work));
    }

    /** python.start-timeout as this runtime was started with it; {@link Duration#ZERO} for no limit. */
    public Duration startTimeout() {
        return startTimeout;
    }

    /**
     * {@link #withGil} for a step of a start-up (importing the app, its init function, an ASGI
     * lifespan startup) that began at {@code beganNanos} ({@link System#nanoTime}): when the start
     * has taken python.start-timeout, the caller gets an {@link IllegalStateException} naming the
     * step, with the Python stack of the thread stuck in it (faulthandler writes it without the GIL).
     * That thread stays stuck, holding this runtime: {@link #close} leaves the interpreter to it.
     */
    public <T> T startStep(String step, long beganNanos, Function<Python, T> work) {
        return startStep(step, beganNanos, startTimeout, work);
    }

    /** {@link #startStep(String, long, Function)} under {@code limit} instead of the runtime's python.start-timeout. */
    public <T> T startStep(String step, long beganNanos, Duration limit, Function<Python, T> work) {
        checkOpen();
        if (limit.isZero()) {
            return withGil(work);
        }
        long left = beganNanos + limit.toNanos() - System.nanoTime();
        java.nio.file.Path dump = null;
        boolean watching = left > 0 && WATCHING.compareAndSet(false, true);
        try {
            if (watching) {
                dump = java.nio.file.Files.createTempFile("httpy-start-", ".txt");
            }
            String dumpPath = dump == null ? null : dump.toString();
            double seconds = Math.max(0.001, left / 1e9);
            return owner.call(() -> app.withPython(py -> {
                if (dumpPath != null) {
                    py.callModuleFunction("_httpy", "watch_start", seconds, dumpPath);
                }
                try {
                    return work.apply(py);
                } finally {
                    if (dumpPath != null) {
                        py.callModuleFunction("_httpy", "unwatch_start");
                    }
                }
            }), left + WATCH_SLACK.toNanos());
        } catch (java.util.concurrent.TimeoutException e) {
            stuckIn = step;
            throw new IllegalStateException("python.start-timeout=" + seconds(limit) + " s passed while "
                    + step + ", so the web app does not start; " + (watching
                    ? "the Python stack of the thread stuck there (" + owner.name() + "):\n" + readDump(dump)
                    : "no Python stack: another web app's start-up held faulthandler's timer") + "\nFind what that"
                    + " code waits for, or raise python.start-timeout (0: no limit). The stuck thread keeps this"
                    + " web app's interpreter until the JVM exits", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a file for the start-up's Python stack", e);
        } finally {
            if (watching) {
                WATCHING.set(false);
                if (dump != null && stuckIn == null) {
                    try {
                        java.nio.file.Files.deleteIfExists(dump);
                    } catch (IOException ignored) {
                        // a temporary file; the OS cleans up
                    }
                }
            }
        }
    }

    /** How long after the limit the caller waits for faulthandler's dump before it gives up on the step. */
    private static final Duration WATCH_SLACK = Duration.ofMillis(1500);

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }

    private static String readDump(java.nio.file.Path dump) {
        try {
            String text = java.nio.file.Files.readString(dump, StandardCharsets.UTF_8).strip();
            java.nio.file.Files.deleteIfExists(dump);
            return text.isEmpty() ? "(faulthandler wrote nothing)" : text;
        } catch (IOException e) {
            return "(cannot read " + dump + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Runs {@code work} with the GIL on the calling platform thread, in the app's interpreter, and
     * returns its result: for short handlers run on a container's request thread, with no hand-off.
     *
     * <p>The thread keeps a thread state in the app's interpreter, made on its first call and
     * reused after (a call costs a GIL take and release and a map lookup); its {@link Python} is
     * the same on every call and must not be used outside one. While the call runs Python,
     * {@link #raiseTimeout} can interrupt it. A thread state is deleted when the app closes or,
     * for a thread that died, within seconds.
     *
     * <p>Not for a thread already in Python: a pool's worker, or inside another
     * onThisThread call (refused). It runs in the interpreter {@link #withGil} runs in, which is
     * not one of the interpreters of workers with a GIL each: what they load, it must load itself.
     *
     * @throws IllegalStateException on a virtual thread (one that parks while holding a thread
     *         state aborts the JVM), inside another onThisThread call, once {@link #close} has begun,
     *         or before Python 3.12 ({@link #runsOnCallerThreads})
     */
    public <T> T onThisThread(Function<Python, T> work) {
        return onThisThread(work, null);
    }

    /** {@link #onThisThread(Function)}, adding the call's wait for the GIL to {@code waits} (null: to nothing). */
    public <T> T onThisThread(Function<Python, T> work, GilWaits waits) {
        if (!runsOnCallerThreads()) {
            throw new IllegalStateException("Python " + lib.version() + " cannot run an app's code on a caller's thread;"
                    + " that needs 3.12 or newer");
        }
        return callers.run(work, waits);
    }

    /**
     * Whether {@link #onThisThread} is available: Python 3.12 or newer. Before 3.12, attaching an
     * app's thread state does not make it the one {@code PyGILState_Ensure} finds on that thread, so
     * a C callback there (ctypes, many extensions) would deadlock in a sub-interpreter.
     */
    public boolean runsOnCallerThreads() {
        return lib.minor() >= 12;
    }

    /**
     * Raises {@code TimeoutError} in the Python code that {@code thread} runs inside
     * {@link #onThisThread} right now; false if it is in no such call. For a watchdog enforcing
     * python.timeout; code stuck in a C call sees it when it returns to Python. Any thread may call it.
     */
    public boolean raiseTimeout(Thread thread) {
        if (closed) {
            return false; // close() interrupts the calls itself
        }
        try {
            return owner.call(() -> app.attached(() -> callers.raiseTimeoutHoldingGil(thread)));
        } catch (IllegalStateException stoppedMeanwhile) {
            if (closed) {
                return false;
            }
            throw stoppedMeanwhile;
        }
    }

    /**
     * Ends this web app's sub-interpreter, or in the main interpreter forgets the app's directories
     * and modules; CPython stays up for the next deployment. Stops the app's workers first.
     *
     * <p>{@link #onThisThread} calls are refused from now on; those running get 4 s to finish,
     * then TimeoutError and 1 s more. A thread still in Python then keeps the sub-interpreter in
     * memory (ending it would abort the process), and the log says so.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        closed = true;
        if (stuckIn != null) {
            started.forEach(PythonThreads::close);
            LOG.log(System.Logger.Level.WARNING, "the web app''s Python is left as it is: its thread {0} is still stuck"
                    + " {1} (python.start-timeout); it keeps the app''s interpreter until the JVM exits", owner.name(), stuckIn);
            return;
        }
        long since = System.nanoTime();
        // Both drain at once: calls on callers' threads meanwhile finish while the workers stop.
        callers.refuseNewCalls();
        started.forEach(PythonThreads::close);
        var left = CALLS_GRACE.minusNanos(System.nanoTime() - since);
        if (!callers.awaitNoneInFlight(left.isNegative() ? Duration.ZERO : left)) {
            owner.call(() -> app.attached(() -> {
                callers.raiseTimeoutInAll();
                return null;
            }));
            callers.awaitNoneInFlight(AFTER_TIMEOUT_GRACE);
        }
        owner.stop(this::stopOwner);
    }

    /** On the owner thread: deletes the threads' app thread states, then ends or leaves the interpreter. */
    private Void stopOwner() throws Throwable {
        if (countedInMain) {
            countedInMain = false;
            synchronized (IN_MAIN) {
                IN_MAIN.decrementAndGet();
                if (aloneInMain == this) {
                    aloneInMain = null;
                }
            }
        }
        if (app == null) {
            return null; // the start failed before there was an interpreter; nothing to end
        }
        if (callers != null) {
            int left = app.attached(() -> {
                int running = callers.deleteAll() + callers.inFlight();
                if (!app.isolated()) {
                    forgetApp();
                }
                return running;
            });
            boolean ended = app.end(left);
            // The Java functions live as long as any interpreter that may hold one: close() keeps those bound into main.
            if (ended && started.stream().allMatch(PythonThreads::allThreadsEnded)) {
                javaCalls.close();
            }
        }
        app.leave();
        return null;
    }

    /** With the GIL of the main interpreter: the app's modules and directories go. */
    private void forgetApp() {
        Object gone = app.plainPython(py -> py.callModuleFunction("_httpy", "forget",
                appPaths.strings(appPaths.code()), appPaths.all()));
        LOG.log(System.Logger.Level.INFO, "Python app stopped; dropped modules {0}", gone);
    }

    /** Deletes the thread states of threads that died: now and then on the owner thread. */
    private void sweepQuietly() {
        try {
            sweepDeadThreads();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot delete the Python thread states of threads that died", e);
        }
    }

    /** Deletes now the thread states of threads that died after running {@link #onThisThread}. */
    void sweepDeadThreads() {
        if (closed || !callers.anyDead()) {
            return;
        }
        owner.call(() -> {
            app.attached(() -> {
                callers.sweepDead();
                return null;
            });
            app.sweepDeadThreads();
            return null;
        });
    }

    /** Threads with a thread state for {@link #onThisThread}. */
    int callerThreads() {
        return callers.size();
    }

    /** Thread states in the app's interpreter right now, the owner's included. */
    int threadStates() {
        return owner.call(() -> app.attached(() -> app.interpreter().threadCount()));
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Python runtime of this web app is closed");
        }
    }

}
