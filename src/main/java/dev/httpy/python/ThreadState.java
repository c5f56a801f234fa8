package dev.httpy.python;

import java.lang.foreign.MemorySegment;

/**
 * A Python thread state that one Java platform thread makes once and keeps: it attaches (takes the
 * GIL) for each batch of work and detaches between batches, so no call pays for a new thread state.
 *
 * <p>Made, used and disposed of on the same thread. Made detached.
 */
final class ThreadState {
    private final LibPython lib;
    /** PyGILState_Ensure's result for the main interpreter; -1 for a sub-interpreter. */
    private final int gilState;
    private MemorySegment state;
    /** Where {@link #attach} adds its wait for the GIL; null: nowhere. */
    private GilWaits waits;

    private ThreadState(LibPython lib, int gilState, MemorySegment state) {
        this.lib = lib;
        this.gilState = gilState;
        this.state = state;
    }

    /** A thread state in {@code interpreter}, or in the main interpreter when it is NULL. */
    static ThreadState create(LibPython lib, MemorySegment interpreter) throws Throwable {
        if (interpreter.equals(MemorySegment.NULL)) {
            int gilState = (int) lib.PyGILState_Ensure.invokeExact();
            var state = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
            return new ThreadState(lib, gilState, state);
        }
        var state = (MemorySegment) lib.PyThreadState_New.invokeExact(interpreter);
        if (state.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("PyThreadState_New");
        }
        return new ThreadState(lib, -1, state);
    }

    /** Wraps a sub-interpreter's thread state that this thread made and has attached. */
    static ThreadState adopt(LibPython lib, MemorySegment attached) {
        return new ThreadState(lib, -1, attached);
    }

    MemorySegment pointer() {
        return state;
    }

    /** From now on, each {@link #attach} adds its wait for the GIL to {@code waits} (null: to nothing). */
    void countWaitsIn(GilWaits waits) {
        this.waits = waits;
    }

    /** Takes the GIL; Python may be called until {@link #detach}. */
    void attach() throws Throwable {
        GilWaits counting = waits;
        long asked = counting == null ? 0 : System.nanoTime();
        lib.PyEval_RestoreThread.invokeExact(state);
        if (counting != null) {
            counting.took(asked);
        }
    }

    /** Gives the GIL back. */
    void detach() throws Throwable {
        state = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
    }

    /** Deletes the thread state; it must be detached. */
    void dispose() throws Throwable {
        lib.PyEval_RestoreThread.invokeExact(state);
        if (gilState >= 0) {
            lib.PyGILState_Release.invokeExact(gilState);
        } else {
            lib.PyThreadState_Clear.invokeExact(state);
            lib.PyThreadState_DeleteCurrent.invokeExact();
        }
    }
}
