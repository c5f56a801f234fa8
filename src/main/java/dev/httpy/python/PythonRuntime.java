package dev.httpy.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The embedded CPython as one web app uses it: started by the app's lifecycle listener, closed when
 * the app stops.
 *
 * <p>CPython itself is process-wide and is never finalised: it cannot be initialised again after
 * {@code Py_FinalizeEx} once C extensions are loaded, and a redeployed WAR must keep working. So
 * {@link #start} initialises CPython if nobody in this JVM has yet and otherwise joins it. Each web
 * app then runs in a sub-interpreter of its own ({@link Isolation#ISOLATED}, the default: its own
 * {@code sys.modules} and {@code sys.path}, ended with the app) or, for extension modules that
 * refuse sub-interpreters, in the shared main interpreter ({@link Isolation#MAIN}: the app's
 * modules are dropped when it stops). One JVM runs one libpython; a second web app asking for
 * another is refused with a message saying so.
 *
 * <p>All Python runs on platform threads that keep one thread state for life, made by
 * {@link #startWorkers}; never on the caller's thread (which may be virtual).
 */
public final class PythonRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PythonRuntime.class.getName());
    /** Names the libpython this JVM runs, across web apps (each has its own copy of this class). */
    private static final String LOADED_PROPERTY = "dev.httpy.python.library";

    /** Where a web app's Python code runs. */
    public enum Isolation {
        /** A sub-interpreter of the app's own, sharing the GIL; ended when the app stops. */
        ISOLATED,
        /** The process-wide main interpreter, shared with other MAIN apps. */
        MAIN
    }

    private final LibPython lib;
    private final PythonInstallation installation;
    private final String glue;
    private final List<String> appPaths;
    /** The first thread state of the app's sub-interpreter (kept detached), or NULL for the main interpreter. */
    private MemorySegment subInterpreter = MemorySegment.NULL;
    /** The app's PyInterpreterState, or NULL for the main interpreter. */
    private MemorySegment interpreter = MemorySegment.NULL;
    private volatile boolean closed;
    /** Every worker pool started here, stopped (if their owners have not) before the interpreter ends. */
    private final List<PythonWorkers> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    private PythonRuntime(LibPython lib, PythonInstallation installation, String glue, List<String> appPaths) {
        this.lib = lib;
        this.installation = installation;
        this.glue = glue;
        this.appPaths = appPaths;
    }

    /** Readies an interpreter for the app: the glue, logs to the container, the app's sys.path. */
    private void prepare(Python py) {
        loadGlue(py, glue);
        py.callModuleFunction("_httpy", "install");
        py.callModuleFunction("_httpy", "add_paths", appPaths);
    }

    /**
     * Loads and, if needed, initialises CPython from {@code installation}, then puts
     * {@code appPaths} first on {@code sys.path}.
     */
    public static PythonRuntime start(PythonInstallation installation, List<Path> appPaths, Isolation isolation) {
        List<String> paths = appPaths.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
        // A string literal is one object across class loaders: the lock for the process-wide
        // interpreter, which two web apps may start at the same moment.
        synchronized ("dev.httpy.python.PythonRuntime.start") {
            String loaded = System.getProperty(LOADED_PROPERTY);
            String wanted = installation.library().toAbsolutePath().normalize().toString();
            if (loaded != null && !loaded.equals(wanted)) {
                throw new IllegalStateException("this JVM already runs " + loaded + " for another web app; one process can"
                        + " hold one libpython, so configure this app with the same python.executable/python.library");
            }
            LibPython lib = LibPython.load(Path.of(wanted));
            String glue = glueSource();
            var runtime = new PythonRuntime(lib, installation, glue, paths);
            if (runOnNewThread(() -> (int) lib.Py_IsInitialized.invokeExact()) == 0) {
                installation.checkHome(lib.version);
                runOnNewThread(() -> {
                    initialize(lib, installation);
                    // The thread that initialised holds the GIL and the main thread state.
                    try (var arena = Arena.ofConfined()) {
                        var py = new Python(lib, arena);
                        py.enter();
                        loadGlue(py, glue);
                        if (!installation.sitePackages().isEmpty()) {
                            py.callModuleFunction("_httpy", "add_site_dirs",
                                    installation.sitePackages().stream().map(Path::toString).toList());
                        }
                        py.leave();
                    } finally {
                        // The main thread state stays behind, detached; the interpreter outlives us.
                        var unused = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
                    }
                    return null;
                });
                System.setProperty(LOADED_PROPERTY, wanted);
                LOG.log(System.Logger.Level.INFO, "CPython {0} initialised from {1}", lib.version, wanted);
            } else {
                LOG.log(System.Logger.Level.INFO, "joined the CPython {0} already running in this JVM ({1})", lib.version, wanted);
            }
            if (isolation == Isolation.ISOLATED) {
                runtime.subInterpreter = runOnNewThread(() -> SubInterpreters.newShared(lib, installation.sitePackages()));
                runtime.interpreter = runOnNewThread(() ->
                        (MemorySegment) lib.PyThreadState_GetInterpreter.invokeExact(runtime.subInterpreter));
            }
            runtime.withGil(py -> {
                runtime.prepare(py);
                return null;
            });
            return runtime;
        }
    }

    /** The Python version, such as {@code 3.14.3}. */
    public String version() {
        return lib.version;
    }

    /**
     * Starts {@code threads} platform threads that run {@link PythonTask}s from a queue holding at
     * most {@code queueCapacity} waiting tasks, in the app's interpreter.
     */
    public PythonWorkers startWorkers(String name, int threads, int queueCapacity) {
        checkOpen();
        return track(new PythonWorkers(lib, interpreter, null, name, threads, queueCapacity));
    }

    /**
     * Starts workers that each run a sub-interpreter with a GIL of its own (Python 3.12+), so
     * Python runs on as many cores as there are workers. Each interpreter loads the app afresh and
     * then runs {@code onStart} (find the request function, call the init function). Fails, naming
     * the module, when the app imports an extension that does not support such interpreters.
     */
    public PythonWorkers startOwnGilWorkers(String name, int threads, int queueCapacity, Consumer<Python> onStart) {
        checkOpen();
        return track(new PythonWorkers(lib, interpreter, new PythonWorkers.OwnGil(installation.sitePackages(),
                py -> {
                    prepare(py);
                    onStart.accept(py);
                }), name, threads, queueCapacity));
    }

    private PythonWorkers track(PythonWorkers workers) {
        started.add(workers);
        return workers;
    }

    /**
     * Runs {@code work} with the GIL on a new platform thread and waits for it: for start-up and
     * shutdown work, never per request (a new thread state costs tens of microseconds).
     */
    public <T> T withGil(Function<Python, T> work) {
        checkOpen();
        return runOnNewThread(() -> {
            var threadState = ThreadState.create(lib, interpreter);
            threadState.attach();
            List<?> records = List.of();
            try (var arena = Arena.ofConfined()) {
                var py = new Python(lib, arena);
                py.enter();
                try {
                    py.useGlue();
                    return work.apply(py);
                } finally {
                    records = takeLogs(py);
                    py.releaseAll();
                    py.leave();
                }
            } finally {
                threadState.detach();
                threadState.dispose();
                PythonLogs.publish(records);
            }
        });
    }

    /**
     * Ends this web app's sub-interpreter, or in the main interpreter forgets the app's directories
     * and modules; CPython stays up for the next deployment. Stop the app's workers first.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        started.forEach(PythonWorkers::close);
        if (subInterpreter.equals(MemorySegment.NULL)) {
            withGil(py -> {
                Object gone = py.callModuleFunction("_httpy", "forget", appPaths);
                LOG.log(System.Logger.Level.INFO, "Python app stopped; dropped modules {0}", gone);
                return null;
            });
        } else {
            runOnNewThread(() -> {
                SubInterpreters.end(lib, subInterpreter);
                return null;
            });
        }
        closed = true;
    }

    /** Log records the work left behind (an init function's, say); none before the glue is loaded. */
    private static List<?> takeLogs(Python py) {
        try {
            var logs = new PythonLogs(py);
            try {
                return logs.take(py);
            } finally {
                logs.release(py);
            }
        } catch (PythonException notLoadedYet) {
            return List.of();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the Python runtime of this web app is closed");
        }
    }

    private static void loadGlue(Python py, String glue) {
        py.decRef(py.execModule("_httpy", glue, "<httpy>/_httpy.py"));
    }

    private static void initialize(LibPython lib, PythonInstallation installation) throws Throwable {
        if (lib.minor >= 14) {
            initializeFromInitConfig(lib, installation);
        } else {
            initializeLegacy(lib, installation);
        }
    }

    /** Python 3.14+: PEP 741's config API reports a bad setting as an error instead of aborting. */
    private static void initializeFromInitConfig(LibPython lib, PythonInstallation installation) throws Throwable {
        MethodHandle create = lib.function("PyInitConfig_Create", FunctionDescriptor.of(ADDRESS));
        MethodHandle free = lib.function("PyInitConfig_Free", FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandle setInt = lib.function("PyInitConfig_SetInt", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        MethodHandle setStr = lib.function("PyInitConfig_SetStr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        MethodHandle init = lib.function("Py_InitializeFromInitConfig", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle getError = lib.function("PyInitConfig_GetError", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        var config = (MemorySegment) create.invokeExact();
        if (config.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("PyInitConfig_Create");
        }
        try (var arena = Arena.ofConfined()) {
            int failed = 0;
            // No signal handlers in the JVM's process; no PYTHON* variables or user site from the host.
            failed |= (int) setInt.invokeExact(config, arena.allocateFrom("install_signal_handlers"), 0L);
            failed |= (int) setInt.invokeExact(config, arena.allocateFrom("use_environment"), 0L);
            failed |= (int) setInt.invokeExact(config, arena.allocateFrom("user_site_directory"), 0L);
            failed |= (int) setInt.invokeExact(config, arena.allocateFrom("buffered_stdio"), 0L);
            failed |= (int) setStr.invokeExact(config, arena.allocateFrom("home"), arena.allocateFrom(installation.home().toString()));
            if (installation.executable() != null) {
                failed |= (int) setStr.invokeExact(config, arena.allocateFrom("executable"),
                        arena.allocateFrom(installation.executable().toString()));
            }
            if (failed != 0 || (int) init.invokeExact(config) < 0) {
                MemorySegment message = arena.allocate(ADDRESS);
                String why = (int) getError.invokeExact(config, message) == 1
                        ? message.get(LibPython.POINTER, 0).getString(0) : "unknown error";
                throw new IllegalStateException("CPython " + lib.version + " from " + lib.path + " failed to start: " + why);
            }
        } finally {
            free.invokeExact(config);
        }
    }

    /** Python 3.10-3.13: the pre-PEP 741 calls, which still exist in those versions. */
    private static void initializeLegacy(LibPython lib, PythonInstallation installation) throws Throwable {
        MethodHandle decodeLocale = lib.function("Py_DecodeLocale", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        MethodHandle setHome = lib.function("Py_SetPythonHome", FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandle setProgramName = lib.function("Py_SetProgramName", FunctionDescriptor.ofVoid(ADDRESS));
        MethodHandle initializeEx = lib.function("Py_InitializeEx", FunctionDescriptor.ofVoid(JAVA_INT));
        try (var arena = Arena.ofConfined()) {
            // The wide strings must outlive initialisation, so they are never freed (a few bytes, once).
            var home = (MemorySegment) decodeLocale.invokeExact(arena.allocateFrom(installation.home().toString()), MemorySegment.NULL);
            setHome.invokeExact(home);
            if (installation.executable() != null) {
                var program = (MemorySegment) decodeLocale.invokeExact(
                        arena.allocateFrom(installation.executable().toString()), MemorySegment.NULL);
                setProgramName.invokeExact(program);
            }
        }
        for (String flag : List.of("Py_IgnoreEnvironmentFlag", "Py_NoUserSiteDirectory", "Py_UnbufferedStdioFlag")) {
            lib.symbol(flag).reinterpret(4).set(JAVA_INT, 0, 1);
        }
        // 0: no signal handlers in the JVM's process.
        initializeEx.invokeExact(0);
    }

    private static String glueSource() {
        try (InputStream in = PythonRuntime.class.getResourceAsStream("_httpy.py")) {
            if (in == null) {
                throw new IllegalStateException("dev/httpy/python/_httpy.py is missing from the httpy jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface NativeWork<T> {
        T run() throws Throwable;
    }

    /** Runs on a fresh platform thread: the caller may be a virtual thread, which must never touch Python. */
    static <T> T runOnNewThread(NativeWork<T> work) {
        var result = new CompletableFuture<T>();
        Thread thread = Thread.ofPlatform().name("httpy-python-setup").start(() -> {
            try {
                result.complete(work.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            // Until the thread is gone, not just until it has a result: a web app that stops checks right after
            // close() for threads it leaves behind (Tomcat warns of a memory leak for one still exiting).
            thread.join();
            return result.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Python", e);
        }
    }
}
