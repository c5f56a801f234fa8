package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;

import dev.httpy.os.Libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Making and ending CPython sub-interpreters. Every method expects to run on a platform thread
 * with no Python thread state attached, and leaves it so.
 *
 * <p>A sub-interpreter is made with its first thread state, which is kept until it ends: deleting
 * it and making another reuses CPython's preallocated first thread state, which aborts some
 * versions ("init_threadstate: thread state already initialized").
 */
final class SubInterpreters {
    private static final System.Logger LOG = System.getLogger(SubInterpreters.class.getName());
    /** PyInterpreterConfig (3.12+): seven ints, in this order. */
    private static final StructLayout CONFIG = MemoryLayout.structLayout(JAVA_INT.withName("use_main_obmalloc"),
            JAVA_INT.withName("allow_fork"), JAVA_INT.withName("allow_exec"), JAVA_INT.withName("allow_threads"),
            JAVA_INT.withName("allow_daemon_threads"), JAVA_INT.withName("check_multi_interp_extensions"),
            JAVA_INT.withName("gil"));
    /** PyStatus: {int _type; const char *func; const char *err_msg; int exitcode;}. */
    private static final StructLayout STATUS = MemoryLayout.structLayout(JAVA_INT.withName("type"),
            MemoryLayout.paddingLayout(4), ADDRESS.withName("func"), ADDRESS.withName("err_msg"),
            JAVA_INT.withName("exitcode"), MemoryLayout.paddingLayout(4));
    private static final int SHARED_GIL = 1;
    private static final int OWN_GIL = 2;
    /** glibc's malloc_trim, where the C library has it: hands an ended interpreter's freed heap back to the OS. */
    private static final MethodHandle MALLOC_TRIM = Libc.optionalFunction("malloc_trim",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG)).orElse(null);

    private SubInterpreters() {
    }

    /**
     * A sub-interpreter sharing the main GIL, like mod_wsgi's per-application interpreters.
     * Returns its first thread state, detached.
     *
     * <p>From 3.12 on it refuses, at import, extension modules that do not declare they can load in
     * a sub-interpreter (single-phase init, or numpy's explicit refusal): loaded anyway, such a
     * module keeps state for the whole process, and numpy, for one, then refuses every later
     * interpreter, the main one included, until the JVM restarts. Before 3.12 there is no such
     * check (Py_NewInterpreter's defaults).
     */
    static MemorySegment newShared(LibPython lib, List<Path> sitePackages) throws Throwable {
        int gilState = (int) lib.PyGILState_Ensure.invokeExact();
        var main = (MemorySegment) lib.PyThreadState_Get.invokeExact();
        try {
            var first = lib.minor >= 12 ? fromConfig(lib, false) : (MemorySegment) lib.Py_NewInterpreter.invokeExact();
            if (first.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("Py_NewInterpreter failed: CPython " + lib.version
                        + " cannot make a sub-interpreter here; set python.interpreter=main");
            }
            addSitePackages(lib, sitePackages);
            var unused = (MemorySegment) lib.PyThreadState_Swap.invokeExact(main);
            return first;
        } finally {
            lib.PyGILState_Release.invokeExact(gilState);
        }
    }

    /**
     * A sub-interpreter with a GIL of its own (PEP 684, Python 3.12+), so that it runs Python in
     * parallel with others. It refuses extension modules that do not declare support for that, and
     * os.fork(). The caller must have a main-interpreter thread state attached, which this
     * detaches. Returns the new first thread state, <em>attached</em> to the calling thread, which
     * owns it for life and hands it to {@link #endOwnGil}.
     */
    static MemorySegment newOwnGil(LibPython lib, List<Path> sitePackages) throws Throwable {
        var first = fromConfig(lib, true);
        addSitePackages(lib, sitePackages);
        return first;
    }

    /**
     * Py_NewInterpreterFromConfig: with {@code ownGil}, PEP 684's isolated configuration (no fork,
     * no daemon threads); without, Py_NewInterpreter's legacy one with the extension check on.
     * Returns the new first thread state, attached to the calling thread.
     */
    private static MemorySegment fromConfig(LibPython lib, boolean ownGil) throws Throwable {
        MethodHandle create = lib.optionalFunction("Py_NewInterpreterFromConfig", FunctionDescriptor.of(STATUS, ADDRESS, ADDRESS))
                .orElseThrow(() -> new IllegalArgumentException("python.gil=per-worker needs Python 3.12 or"
                        + " newer (a GIL per interpreter, PEP 684); this is " + lib.version + ": use python.gil=shared"));
        try (var arena = Arena.ofConfined()) {
            MemorySegment config = arena.allocate(CONFIG);
            set(config, "use_main_obmalloc", ownGil ? 0 : 1);
            set(config, "allow_fork", ownGil ? 0 : 1);
            set(config, "allow_exec", 1);
            set(config, "allow_threads", 1);
            set(config, "allow_daemon_threads", ownGil ? 0 : 1);
            set(config, "check_multi_interp_extensions", 1);
            set(config, "gil", ownGil ? OWN_GIL : SHARED_GIL);
            MemorySegment out = arena.allocate(ADDRESS);
            var status = (MemorySegment) create.invokeExact((SegmentAllocator) arena, out, config);
            if (status.get(JAVA_INT, 0) != 0) {
                MemorySegment message = status.get(ADDRESS, STATUS.byteOffset(MemoryLayout.PathElement.groupElement("err_msg")));
                throw new IllegalStateException("Py_NewInterpreterFromConfig failed: " + (message.equals(MemorySegment.NULL)
                        ? "unknown error" : message.reinterpret(1000).getString(0)));
            }
            return out.get(ADDRESS, 0);
        }
    }

    private static void set(MemorySegment config, String field, int value) {
        config.set(JAVA_INT, CONFIG.byteOffset(MemoryLayout.PathElement.groupElement(field)), value);
    }

    private static void addSitePackages(LibPython lib, List<Path> sitePackages) {
        if (sitePackages.isEmpty()) {
            return;
        }
        try (var arena = Arena.ofConfined()) {
            var py = new Python(lib, arena);
            py.enter();
            for (Path directory : sitePackages) {
                py.callModuleFunction("site", "addsitedir", directory.toString());
            }
            py.leave();
        }
    }

    /**
     * Ends a shared-GIL sub-interpreter given its first thread state, unless a thread still runs
     * in it (a worker stuck in Python, or a thread the app started): Py_EndInterpreter would then
     * abort the whole process, so the interpreter is left behind and logged instead. True if it ended.
     */
    static boolean end(LibPython lib, MemorySegment first) throws Throwable {
        boolean ended = false;
        int gilState = (int) lib.PyGILState_Ensure.invokeExact();
        var main = (MemorySegment) lib.PyThreadState_Get.invokeExact();
        try {
            var interpreter = (MemorySegment) lib.PyThreadState_GetInterpreter.invokeExact(first);
            var ending = (MemorySegment) lib.PyThreadState_New.invokeExact(interpreter);
            var unused = (MemorySegment) lib.PyThreadState_Swap.invokeExact(ending);
            int others = countThreads(lib, interpreter) - 2; // the first thread state and this one
            if (others == 0) {
                lib.PyThreadState_Clear.invokeExact(first);
                lib.PyThreadState_Delete.invokeExact(first);
                lib.Py_EndInterpreter.invokeExact(ending);
                ended = true;
                LOG.log(System.Logger.Level.INFO, "Python app stopped; its sub-interpreter ended");
            } else {
                leftBehind(others);
                lib.PyThreadState_Clear.invokeExact(ending);
                unused = (MemorySegment) lib.PyThreadState_Swap.invokeExact(main);
                lib.PyThreadState_Delete.invokeExact(ending);
            }
            unused = (MemorySegment) lib.PyThreadState_Swap.invokeExact(main);
        } finally {
            lib.PyGILState_Release.invokeExact(gilState);
        }
        if (ended) {
            trimMalloc();
        }
        return ended;
    }

    private static void trimMalloc() throws Throwable {
        if (MALLOC_TRIM != null) {
            int unused = (int) MALLOC_TRIM.invokeExact(0L);
        }
    }

    /**
     * Ends an own-GIL sub-interpreter from the thread that made it, its first thread state
     * attached; afterwards no thread state is attached. True if it ended, false if a thread still
     * runs in it and it was left behind.
     */
    static boolean endOwnGil(LibPython lib, MemorySegment first) throws Throwable {
        var interpreter = (MemorySegment) lib.PyThreadState_GetInterpreter.invokeExact(first);
        int others = countThreads(lib, interpreter) - 1;
        if (others == 0) {
            lib.Py_EndInterpreter.invokeExact(first);
            return true;
        }
        leftBehind(others);
        var unused = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
        return false;
    }

    static int countThreads(LibPython lib, MemorySegment interpreter) throws Throwable {
        int threads = 0;
        for (var t = (MemorySegment) lib.PyInterpreterState_ThreadHead.invokeExact(interpreter);
             !t.equals(MemorySegment.NULL); t = (MemorySegment) lib.PyThreadState_Next.invokeExact(t)) {
            threads++;
        }
        return threads;
    }

    static void leftBehind(int threads) {
        LOG.log(System.Logger.Level.WARNING, "a Python sub-interpreter stopped, but {0} thread(s) still run in it"
                + " (a stuck handler or a thread the app started); leaving it in memory", threads);
    }
}
