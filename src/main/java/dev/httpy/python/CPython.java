package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.httpy.packages.PythonInstallation;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The process-wide CPython, shared by every web app in the JVM: one libpython, loaded with
 * RTLD_GLOBAL, initialised by the first app that needs it and never finalised (C extensions
 * cannot be loaded again after {@code Py_FinalizeEx}).
 *
 * <p>Each web app has its own copy of this class, so what must be shared across apps lives in
 * the JVM: the library's path in a system property, and the thread states this class made for
 * threads in another, a String naming each by address and OS thread id ({@link MadeStates}), which
 * pins no app's class loader.
 *
 * <p>Every thread that runs Python for an app first gets a thread state in the main interpreter,
 * its "gilstate" one (what {@code PyGILState_Ensure} finds on it), which no other thread deletes
 * while the thread lives: deleting a thread's gilstate thread state from another thread clears
 * the <em>caller's</em> slot and leaves the owner's pointing at freed memory (Python 3.12-3.14).
 * Per-app thread states come after it and are not gilstate-bound between calls (see
 * {@link #detach}), so an app may delete them from its own thread when it stops.
 */
public final class CPython {
    private static final System.Logger LOG = System.getLogger(CPython.class.getName());
    /** Names the libpython this JVM runs, across web apps. */
    private static final String LOADED_PROPERTY = "dev.httpy.python.library";
    /**
     * A string literal is one object across class loaders: the lock for the process-wide
     * interpreter. Its text is the one earlier httpy versions lock on, so that two WARs of
     * different versions still start one at a time.
     */
    public static final Object LOCK = "dev.httpy.python.PythonRuntime.start";

    /** A thread's gilstate thread state in the main interpreter; {@code made} if this class made it. */
    record MainState(MemorySegment state, boolean made) {
    }

    private CPython() {
    }

    /** Loads the app's libpython, refusing a second, different one in this JVM. Call with {@link #LOCK} held. */
    public static LibPython load(PythonInstallation installation) {
        String loaded = System.getProperty(LOADED_PROPERTY);
        String wanted = installation.library().toAbsolutePath().normalize().toString();
        if (loaded != null && !loaded.equals(wanted)) {
            throw new IllegalStateException("this JVM already runs " + loaded + " for another web app; one process can"
                    + " hold one libpython, so configure this app with the same python.executable/python.library");
        }
        return LibPython.load(Path.of(wanted));
    }

    /**
     * Initialises CPython on the calling platform thread unless it already runs, and returns this
     * thread's main-interpreter thread state, detached. Call with {@link #LOCK} held; a state it
     * made is the caller's to delete ({@link #deleteOwn}) before the thread ends.
     */
    static MainState join(LibPython lib, PythonInstallation installation, String glue) throws Throwable {
        if ((int) lib.Py_IsInitialized.invokeExact() != 0) {
            LOG.log(System.Logger.Level.INFO, "joined the CPython {0} already running in this JVM ({1})", lib.version, lib.path);
            return mainState(lib, false);
        }
        installation.checkHome(lib.version);
        initialize(lib, installation);
        // This thread holds the GIL and CPython's own main thread state, which outlives it.
        MemorySegment state;
        try (var arena = Arena.ofConfined()) {
            var py = new Python(lib, arena);
            py.enter();
            py.loadGlue(glue);
            if (!installation.sitePackages().isEmpty()) {
                py.callModuleFunction("_httpy", "add_site_dirs",
                        installation.sitePackages().stream().map(Path::toString).toList());
            }
            py.leave();
        } finally {
            state = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
        }
        System.setProperty(LOADED_PROPERTY, lib.path.toString());
        LOG.log(System.Logger.Level.INFO, "CPython {0} initialised from {1}", lib.version, lib.path);
        return new MainState(state, false);
    }

    /**
     * The calling thread's gilstate thread state in the main interpreter: the one it already has
     * (a redeploy reuses it), or a new one. A new one is swept when the thread dies if
     * {@code sweepWhenDead}; otherwise the caller deletes it with {@link #deleteOwn}.
     */
    static MainState mainState(LibPython lib, boolean sweepWhenDead) throws Throwable {
        var existing = (MemorySegment) lib.PyGILState_GetThisThreadState.invokeExact();
        if (!existing.equals(MemorySegment.NULL)) {
            return new MainState(existing, false);
        }
        var main = (MemorySegment) lib.PyInterpreterState_Main.invokeExact();
        var made = (MemorySegment) lib.PyThreadState_New.invokeExact(main);
        if (made.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("PyThreadState_New");
        }
        if (sweepWhenDead) {
            MadeStates.add(made.address());
        }
        return new MainState(made, true);
    }

    /**
     * Gives the GIL back after running with {@code attached}. On 3.12+ attaching a thread state
     * makes it the thread's gilstate one; switching to {@code main} first makes main that again,
     * so that {@code attached} may later be deleted from another thread.
     */
    static void detach(LibPython lib, MemorySegment attached, MemorySegment main) throws Throwable {
        if (lib.minor >= 12 && !attached.equals(main)) {
            var unused = (MemorySegment) lib.PyThreadState_Swap.invokeExact(main);
        }
        var unused = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
    }

    /** Deletes the calling thread's own main thread state that {@link #join} or {@link #mainState} made; detached before. */
    static void deleteOwn(LibPython lib, MainState main) throws Throwable {
        if (main.made()) {
            lib.PyEval_RestoreThread.invokeExact(main.state());
            lib.PyThreadState_Clear.invokeExact(main.state());
            lib.PyThreadState_DeleteCurrent.invokeExact();
        }
    }

    /**
     * Deletes the main thread states made for threads that have died, whichever web app made
     * them. It runs on a short-lived thread: deleting another thread's gilstate thread state
     * clears the deleting thread's slot, which matters to no one there.
     */
    static void sweepDeadThreads(LibPython lib) {
        var dead = MadeStates.takeDead();
        if (dead.isEmpty()) {
            return;
        }
        onShortLivedThread(() -> {
            var main = (MemorySegment) lib.PyInterpreterState_Main.invokeExact();
            var sweeper = (MemorySegment) lib.PyThreadState_New.invokeExact(main);
            lib.PyEval_RestoreThread.invokeExact(sweeper);
            for (long address : dead) {
                var state = MemorySegment.ofAddress(address);
                lib.PyThreadState_Clear.invokeExact(state);
                lib.PyThreadState_Delete.invokeExact(state);
            }
            lib.PyThreadState_Clear.invokeExact(sweeper);
            lib.PyThreadState_DeleteCurrent.invokeExact();
            return null;
        });
    }

    /** Main thread states made for live threads and not yet swept, across web apps. */
    static int madeStateCount() {
        return MadeStates.count();
    }

    /** Work that calls native code and may throw anything. */
    interface NativeWork<T> {
        T run() throws Throwable;
    }

    private static void onShortLivedThread(NativeWork<Void> work) {
        var done = new CompletableFuture<Void>();
        Thread thread = Thread.ofPlatform().name("httpy-python-sweeper").start(() -> {
            try {
                done.complete(work.run());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        try {
            thread.join();
            done.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code -Dhttpy.python.malloc=debug}: Python's debug memory allocator (what {@code PYTHONMALLOC=debug}
     * gives a python command, which httpy's Python does not read). Freed memory is filled, so a use
     * after free fails at once, and allocating without the GIL is a fatal error. For tests: it is slow.
     */
    static final String MALLOC_PROPERTY = "httpy.python.malloc";
    /** PYMEM_ALLOCATOR_DEBUG in CPython's pycore_pymem.h: the default allocators with debug hooks. */
    private static final long PYMEM_ALLOCATOR_DEBUG = 2;

    private static boolean debugAllocator() {
        String value = System.getProperty(MALLOC_PROPERTY, "");
        if (value.isEmpty()) {
            return false;
        }
        if (!value.equals("debug")) {
            throw new IllegalArgumentException("-D" + MALLOC_PROPERTY + "=" + value + ": the one value is debug"
                    + " (Python's debug allocator); leave it unset otherwise");
        }
        LOG.log(System.Logger.Level.WARNING, "Python runs its debug memory allocator (-D{0}=debug): slow, for tests",
                MALLOC_PROPERTY);
        return true;
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
            if (debugAllocator()) {
                failed |= (int) setInt.invokeExact(config, arena.allocateFrom("allocator"), PYMEM_ALLOCATOR_DEBUG);
            }
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
        if (debugAllocator()) {
            // Before initialisation: the hooks wrap the default allocators, which Py_InitializeEx keeps.
            lib.function("PyMem_SetupDebugHooks", FunctionDescriptor.ofVoid()).invokeExact();
        }
        // 0: no signal handlers in the JVM's process.
        initializeEx.invokeExact(0);
    }
}
