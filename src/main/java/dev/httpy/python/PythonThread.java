package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A platform thread's own Python thread state, made once and kept for the thread's life: the
 * thread attaches it (takes the GIL) for each batch of work and detaches it between batches, so no
 * call pays for a new thread state (60-90 us). It carries what such a thread needs around its
 * calls: the {@link Python} its work receives, the time it waited for the GIL, the log records its
 * Python wrote, and a {@code TimeoutError} that another thread raises in it and that it clears
 * before its next call.
 *
 * <p>Pool workers and container request threads both run Python through one of these; nothing
 * above this class holds a thread state or calls libpython itself. Made, attached, detached and
 * closed on its own thread; {@link #raiseTimeout} and {@link #discardHoldingGil} are the only
 * methods for other threads. Made detached.
 */
public final class PythonThread {
    private final LibPython lib;
    private final Thread thread = Thread.currentThread();
    /** What {@link #close} ends: the thread state alone, or the main one with it, or an interpreter too. */
    private final Kind kind;
    private final MemorySegment state;
    /** PyGILState_Ensure's result, for {@link Kind#MAIN}. */
    private final int gilState;
    /**
     * For {@link Kind#CALLER}: the thread's thread state in the main interpreter, made current again
     * on each {@link #detach} (3.12+) so that {@link #state} may be deleted by another thread.
     * For {@link Kind#OWN_GIL}: the main thread state the interpreter was made from, ended last.
     */
    private final MemorySegment main;
    private final int mainGilState;
    private final Arena arena;
    private final Python py;
    /** A request thread's OS thread id, for {@link #isGone}; 0 for the others, which end themselves. */
    private final long tid;
    /** Where {@link #attach} adds its wait for the GIL; null: nowhere. */
    private GilWaits waits;
    private PythonLogs logs;
    /** Python's {@code _thread.get_ident()} for this thread, for PyThreadState_SetAsyncExc; 0 before {@link #ready}. */
    private volatile long ident;
    /** A TimeoutError was raised in this thread and not yet cleared; cleared with the GIL held. */
    private volatile boolean timeoutRaised;

    private enum Kind {
        /** A gilstate thread state in the main interpreter. */
        MAIN,
        /** A thread state in a sub-interpreter that shares the main GIL. */
        SHARED,
        /** The first thread state of a sub-interpreter with a GIL of its own, which ends with it. */
        OWN_GIL,
        /** A request thread's: deleted by the runtime's owner thread, never by itself. */
        CALLER
    }

    private PythonThread(LibPython lib, Kind kind, MemorySegment state, int gilState, MemorySegment main,
                         int mainGilState, Arena arena) {
        this.lib = lib;
        this.kind = kind;
        this.state = state;
        this.gilState = gilState;
        this.main = main;
        this.mainGilState = mainGilState;
        this.arena = arena;
        this.tid = kind == Kind.CALLER ? MadeStates.currentTid() : 0;
        this.py = new Python(lib, arena);
        py.bindThreadState(this);
    }

    /** A thread state for the calling thread in {@code interpreter}, detached. */
    static PythonThread in(Interpreter interpreter) throws Throwable {
        LibPython lib = interpreter.lib();
        if (interpreter.isMain()) {
            int gilState = (int) lib.PyGILState_Ensure.invokeExact();
            var state = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
            return new PythonThread(lib, Kind.MAIN, state, gilState, MemorySegment.NULL, -1, Arena.ofConfined());
        }
        var state = (MemorySegment) lib.PyThreadState_New.invokeExact(interpreter.pointer());
        if (state.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("PyThreadState_New");
        }
        return new PythonThread(lib, Kind.SHARED, state, -1, MemorySegment.NULL, -1, Arena.ofConfined());
    }

    /**
     * A new sub-interpreter with a GIL of its own (PEP 684, 3.12+) for the calling thread, with
     * {@code sitePackages} on its path; {@link #close} ends it. Detached.
     */
    static PythonThread inOwnGilInterpreter(LibPython lib, List<Path> sitePackages) throws Throwable {
        int mainGilState = (int) lib.PyGILState_Ensure.invokeExact();
        var main = (MemorySegment) lib.PyThreadState_Get.invokeExact();
        var first = SubInterpreters.newOwnGil(lib, sitePackages);
        var thread = new PythonThread(lib, Kind.OWN_GIL, first, -1, main, mainGilState, Arena.ofConfined());
        var unused = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
        return thread;
    }

    /**
     * A request thread's thread state in {@code interpreter}, beside its main one, which is the
     * same for the main interpreter; a main one made here is deleted by the sweep once the thread
     * has died ({@link CPython#sweepDeadThreads}). Deleted by {@link #discardHoldingGil}.
     */
    static PythonThread caller(Interpreter interpreter) throws Throwable {
        LibPython lib = interpreter.lib();
        MemorySegment main = CPython.mainState(lib, true).state();
        MemorySegment state = main;
        if (!interpreter.isMain()) {
            state = (MemorySegment) lib.PyThreadState_New.invokeExact(interpreter.pointer());
            if (state.equals(MemorySegment.NULL)) {
                throw new OutOfMemoryError("PyThreadState_New");
            }
        }
        // Its references may be dropped by the owner thread: an arena no single thread owns.
        return new PythonThread(lib, Kind.CALLER, state, -1, main, -1, Arena.ofAuto());
    }

    /** The thread this thread state belongs to. */
    public Thread thread() {
        return thread;
    }

    /** Its Java thread has ended and so has the OS thread under it (which outlives it by a moment). */
    public boolean isGone() {
        return !thread.isAlive() && !MadeStates.isAlive(tid);
    }

    /** The Python this thread's work receives, the same on every call; for use between {@link #attach} and {@link #detach}. */
    public Python python() {
        return py;
    }

    /** From now on, each {@link #attach} adds its wait for the GIL to {@code waits} (null: to nothing). */
    public void countWaitsIn(GilWaits waits) {
        this.waits = waits;
    }

    /** Takes the GIL; {@link #python()} may be used until {@link #detach}. */
    public void attach() {
        try {
            resume();
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        py.enter();
    }

    /** Gives the GIL back. */
    public void detach() {
        py.leave();
        try {
            if (kind == Kind.CALLER && lib.minor >= 12 && !state.equals(main)) {
                // On 3.12+ attaching made the app's state this thread's gilstate one; main is that again.
                var unused = (MemorySegment) lib.PyThreadState_Swap.invokeExact(main);
            }
            var unused = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** Gives the GIL back inside a call ({@link Python#withoutGil}); {@link #resume} takes it again. */
    void suspend() throws Throwable {
        var unused = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
    }

    /** Takes the GIL with this thread state, adding the wait to the {@link GilWaits} given. */
    void resume() throws Throwable {
        GilWaits counting = waits;
        long asked = counting == null ? 0 : System.nanoTime();
        lib.PyEval_RestoreThread.invokeExact(state);
        if (counting != null) {
            counting.took(asked);
        }
    }

    /**
     * Binds, with the GIL held, to what this thread's calls use: the glue (its traceback formatter
     * and log queue, so it must be loaded in the interpreter first) and Python's ident of the thread.
     */
    public void ready() {
        py.useGlue();
        logs = new PythonLogs(py);
        ident = (Long) py.callModuleFunction("_thread", "get_ident");
    }

    /** Whether {@link #ready} has run. */
    public boolean isReady() {
        return logs != null;
    }

    /** The log records this thread's Python wrote since the last take, with the GIL held; hand them to {@link #publish} after detaching. */
    public List<?> takeLogs() {
        return logs == null ? List.of() : logs.take(py);
    }

    /** Writes log records taken by {@link #takeLogs} to the container's log; call without the GIL. */
    public static void publish(List<?> records) {
        PythonLogs.publish(records);
    }

    /**
     * From another thread: raises {@code TimeoutError} in this thread if {@code stillRunning}, checked
     * with the GIL of this thread's interpreter held (through a thread state made for the purpose), so
     * that the work cannot end in between. True if it was raised, now or before and not yet cleared.
     */
    public boolean raiseTimeout(BooleanSupplier stillRunning) {
        try {
            var interpreter = (MemorySegment) lib.PyThreadState_GetInterpreter.invokeExact(state);
            var raiser = in(Interpreter.of(lib, interpreter));
            raiser.resume();
            try {
                return stillRunning.getAsBoolean() && raiseTimeoutHoldingGil();
            } finally {
                raiser.endPassing();
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /**
     * Raises {@code TimeoutError} in this thread; the calling thread holds the GIL of this thread's
     * interpreter. True if it was raised, now or before and not yet cleared.
     */
    public boolean raiseTimeoutHoldingGil() {
        if (timeoutRaised) {
            return true;
        }
        try {
            int found = (int) lib.PyThreadState_SetAsyncExc.invokeExact(ident, lib.timeoutError);
            timeoutRaised = found > 0;
            return found > 0;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** Whether a TimeoutError was raised in this thread and not yet {@linkplain #clearTimeout cleared}. */
    public boolean timeoutRaised() {
        return timeoutRaised;
    }

    /**
     * On this thread, with the GIL held, after the work a TimeoutError was meant for: one that came
     * too late and is still pending must not hit the next work.
     */
    public void clearTimeout() {
        if (!timeoutRaised) {
            return;
        }
        try {
            int unused = (int) lib.PyThreadState_SetAsyncExc.invokeExact(ident, MemorySegment.NULL);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        timeoutRaised = false;
    }

    /**
     * On this thread, detached: drops this thread's Python references and its thread state, and
     * for a GIL of its own its interpreter, unless another thread still runs in it (ending it then
     * would abort the process). False if the interpreter was left behind so. Not for a request
     * thread's ({@link #discardHoldingGil}).
     */
    public boolean close() {
        if (kind == Kind.CALLER) {
            throw new IllegalStateException("a request thread's Python thread state is deleted by its runtime");
        }
        List<?> records = List.of();
        try {
            attach();
            try {
                records = takeLogs();
                releaseReferences();
            } finally {
                py.leave();
            }
            return endAttached();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        } finally {
            arena.close();
            publish(records);
        }
    }

    /** Deletes the thread state, attached; afterwards none is. */
    private boolean endAttached() throws Throwable {
        switch (kind) {
            case MAIN -> lib.PyGILState_Release.invokeExact(gilState);
            case SHARED -> {
                lib.PyThreadState_Clear.invokeExact(state);
                lib.PyThreadState_DeleteCurrent.invokeExact();
            }
            case OWN_GIL -> {
                boolean ended = SubInterpreters.endOwnGil(lib, state);
                lib.PyEval_RestoreThread.invokeExact(main);
                lib.PyGILState_Release.invokeExact(mainGilState);
                return ended;
            }
            case CALLER -> throw new IllegalStateException("unreachable");
        }
        return true;
    }

    /** Deletes a thread state made for a passing purpose, attached; afterwards none is. */
    private void endPassing() throws Throwable {
        py.releaseAll();
        endAttached();
        arena.close();
    }

    /**
     * From the runtime's owner thread, which holds the GIL of this thread's interpreter, while
     * this thread is outside any call: drops its references and deletes its thread state (its main
     * one is not this class's).
     */
    public void discardHoldingGil() {
        releaseReferences();
        if (!state.equals(main)) {
            try {
                lib.PyThreadState_Clear.invokeExact(state);
                lib.PyThreadState_Delete.invokeExact(state);
            } catch (Throwable e) {
                throw PythonErrors.nativeFailure(e);
            }
        }
    }

    private void releaseReferences() {
        if (logs != null) {
            logs.release(py);
            logs = null;
        }
        py.releaseAll();
    }
}
