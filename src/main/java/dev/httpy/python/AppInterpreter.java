package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.httpy.packages.PythonInstallation;

/**
 * The interpreter one web app runs in, as the app's owner thread holds it: a sub-interpreter of
 * its own, or the process's main interpreter. Opened on that thread ({@link #open}, which starts
 * CPython first if nobody in the JVM has), used only there between {@link #attached} calls, and
 * ended there ({@link #end}, then {@link #leave}).
 *
 * <p>The owner keeps two thread states: its gilstate one in the main interpreter and, for a
 * sub-interpreter, the sub-interpreter's first one, kept detached for the interpreter's life.
 */
public final class AppInterpreter {
    private final LibPython lib;
    /** The owner thread's gilstate thread state in the main interpreter. */
    private final CPython.MainState ownerMain;
    /** The first thread state of the app's sub-interpreter (the owner's there), or NULL for the main interpreter. */
    private final MemorySegment first;
    private final Interpreter interpreter;

    private AppInterpreter(LibPython lib, CPython.MainState ownerMain, MemorySegment first, Interpreter interpreter) {
        this.lib = lib;
        this.ownerMain = ownerMain;
        this.first = first;
        this.interpreter = interpreter;
    }

    /**
     * On the owner thread, with {@link CPython#LOCK} held: joins CPython (initialising it with
     * {@code glue} loaded into the main interpreter, if nobody has) and, when {@code isolated},
     * makes a sub-interpreter sharing the main GIL with the installation's site-packages on its
     * path. Detached when it returns.
     */
    public static AppInterpreter open(LibPython lib, PythonInstallation installation, String glue, boolean isolated) {
        CPython.MainState main;
        try {
            main = CPython.join(lib, installation, glue);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        if (!isolated) {
            return new AppInterpreter(lib, main, MemorySegment.NULL, new Interpreter(lib, MemorySegment.NULL));
        }
        try {
            var first = SubInterpreters.newShared(lib, installation.sitePackages());
            var pointer = (MemorySegment) lib.PyThreadState_GetInterpreter.invokeExact(first);
            return new AppInterpreter(lib, main, first, new Interpreter(lib, pointer));
        } catch (RuntimeException | Error e) {
            deleteOwn(lib, main, e);
            throw e;
        } catch (Throwable e) {
            deleteOwn(lib, main, e);
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** After a failed open: the owner's main thread state goes, if it was made for it. */
    private static void deleteOwn(LibPython lib, CPython.MainState main, Throwable failure) {
        try {
            CPython.deleteOwn(lib, main);
        } catch (Throwable cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /** The interpreter, for threads that run Python in it on their own. */
    public Interpreter interpreter() {
        return interpreter;
    }

    /** Whether it is a sub-interpreter of the app's own (not the main one). */
    public boolean isolated() {
        return !first.equals(MemorySegment.NULL);
    }

    /** {@code work} with the owner's thread state attached (the interpreter's GIL held), detached after. */
    public <T> T attached(Supplier<T> work) {
        attach();
        try {
            return work.get();
        } finally {
            detach();
        }
    }

    /**
     * {@code work} with the GIL and a fresh {@link Python}, bound to the glue if it is loaded, its
     * references dropped after and the log records it left published.
     */
    public <T> T withPython(Function<Python, T> work) {
        attach();
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
            detach();
            PythonLogs.publish(records);
        }
    }

    /**
     * Within {@link #attached}, for the main interpreter: {@code work} with a {@link Python} that
     * does not bind to the glue (which the work may be about to unload).
     */
    public <T> T plainPython(Function<Python, T> work) {
        try (var arena = Arena.ofConfined()) {
            var py = new Python(lib, arena);
            py.enter();
            try {
                return work.apply(py);
            } finally {
                py.leave();
            }
        }
    }

    /**
     * Ends the sub-interpreter unless {@code threadsLeft} threads may still run in it (ending it
     * then would abort the process; it is left in memory and logged). True if it ended, and for
     * the main interpreter, which outlives every app.
     */
    public boolean end(int threadsLeft) {
        if (!isolated()) {
            return true;
        }
        if (threadsLeft > 0) {
            SubInterpreters.leftBehind(threadsLeft);
            return false;
        }
        try {
            return SubInterpreters.end(lib, first);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /**
     * On the owner thread, last: deletes its main thread state if this class made it, and the
     * main thread states of threads that have died.
     */
    public void leave() {
        try {
            CPython.deleteOwn(lib, ownerMain);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        CPython.sweepDeadThreads(lib);
    }

    /** Deletes the main thread states made for threads that have died, whichever web app made them. */
    public void sweepDeadThreads() {
        CPython.sweepDeadThreads(lib);
    }

    private MemorySegment ownerState() {
        return isolated() ? first : ownerMain.state();
    }

    private void attach() {
        try {
            lib.PyEval_RestoreThread.invokeExact(ownerState());
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    private void detach() {
        try {
            CPython.detach(lib, ownerState(), ownerMain.state());
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
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
}
