package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * One Python interpreter of this process, the main one or a sub-interpreter of an app, as the
 * threads that run in it see it: each gets a {@link PythonThread} of its own there.
 */
public final class Interpreter {
    private final LibPython lib;
    /** The PyInterpreterState; NULL for the main interpreter. */
    private final MemorySegment pointer;

    Interpreter(LibPython lib, MemorySegment pointer) {
        this.lib = lib;
        this.pointer = pointer;
    }

    /** The interpreter at {@code pointer}, a PyInterpreterState; the main one is named by NULL, as everywhere here. */
    static Interpreter of(LibPython lib, MemorySegment pointer) throws Throwable {
        var main = (MemorySegment) lib.PyInterpreterState_Main.invokeExact();
        return new Interpreter(lib, pointer.equals(main) ? MemorySegment.NULL : pointer);
    }

    LibPython lib() {
        return lib;
    }

    MemorySegment pointer() {
        return pointer;
    }

    boolean isMain() {
        return pointer.equals(MemorySegment.NULL);
    }

    /** A thread state of its own in this interpreter for the calling platform thread, detached. */
    public PythonThread newThread() {
        try {
            return PythonThread.in(this);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /**
     * A thread state in this interpreter for the calling platform thread, a container's request
     * thread that runs Python itself between its other work: beside it, the thread keeps (or
     * gets) its own thread state in the main interpreter, which C code's {@code PyGILState_Ensure}
     * finds there between calls. Its runtime deletes it ({@link PythonThread#discardHoldingGil}),
     * when the app stops or once the thread is {@linkplain PythonThread#isGone gone}.
     */
    public PythonThread newCallerThread() {
        try {
            return PythonThread.caller(this);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /**
     * Thread states in this interpreter now; the caller holds its GIL.
     */
    public int threadCount() {
        try {
            return SubInterpreters.countThreads(lib, isMain() ? (MemorySegment) lib.PyInterpreterState_Main.invokeExact() : pointer);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /**
     * For the calling platform thread, a new sub-interpreter with a GIL of its own (PEP 684,
     * Python 3.12+) with {@code sitePackages} on its path, and its first thread state, detached;
     * closing that thread ends the interpreter.
     *
     * @throws IllegalArgumentException before Python 3.12
     */
    public PythonThread newOwnGilInterpreter(List<Path> sitePackages) {
        try {
            return PythonThread.inOwnGilInterpreter(lib, sitePackages);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    @Override
    public String toString() {
        return isMain() ? "the main interpreter" : "sub-interpreter " + pointer;
    }
}
