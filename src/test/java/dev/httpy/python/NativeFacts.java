package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * What tests above the bridge may ask of the native side, which they cannot reach themselves:
 * where a thread's gilstate thread state lives, and the bridge's records of the main thread
 * states it made for threads (swept once a thread's OS thread is gone).
 */
public final class NativeFacts {
    private NativeFacts() {
    }

    /**
     * Whether the thread state {@code PyGILState_Ensure} would use on the calling thread (what C
     * code such as ctypes callbacks finds) is in the main interpreter.
     */
    public static boolean gilstateIsInMain(Path library) {
        var lib = LibPython.load(library);
        try {
            var gilstate = (MemorySegment) lib.PyGILState_GetThisThreadState.invokeExact();
            var interpreter = (MemorySegment) lib.PyThreadState_GetInterpreter.invokeExact(gilstate);
            return interpreter.equals((MemorySegment) lib.PyInterpreterState_Main.invokeExact());
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The calling thread's OS thread id. */
    public static long currentTid() {
        return MadeStates.currentTid();
    }

    /** Whether the OS thread {@code tid} still exists. */
    public static boolean osThreadAlive(long tid) {
        return MadeStates.isAlive(tid);
    }

    /** Main thread states made for live threads and not yet swept, across web apps. */
    public static int madeStateCount() {
        return CPython.madeStateCount();
    }

    /** The system property where those are recorded, {@code tid:address} pairs. */
    public static String madeStatesProperty() {
        return MadeStates.PROPERTY;
    }
}
