package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


/**
 * The interpreter as seen by one thread that holds the GIL: the only way to call Python.
 *
 * <p>An instance belongs to one thread and works only while that thread holds the GIL (inside
 * a worker's task, the runtime's {@code withGil} or {@code onThisThread}); any other use throws
 * {@link IllegalStateException} instead of crashing the JVM.
 *
 * <p>Conversions, both ways: {@code null} = {@code None}, {@link String} = {@code str},
 * {@code byte[]} = {@code bytes}, {@link Boolean} = {@code bool}, {@link Long} (and the other
 * integral boxes going in; {@link BigInteger} coming back when it does not fit) = {@code int},
 * {@link Double} (and {@link Float} going in) = {@code float}, {@link List} = {@code list} (a
 * {@code tuple} comes back as a List too), {@link Map} = {@code dict}. Anything else is refused
 * with an {@link IllegalArgumentException} naming its type. A Python error, {@code SystemExit}
 * included, comes back as a {@link PythonException}.
 */
public final class Python {
    private final LibPython lib;
    private final Thread owner;
    private final PythonErrors errors;
    private final Conversions convert;
    private final RequestAnswers answers;
    private boolean holdsGil;
    /** The thread state the owner attaches with, for {@link #withoutGil}; null where not allowed. */
    private PythonThread threadState;
    /** Functions looked up by {@link #cachedFunction}; they belong to this thread's interpreter. */
    private final Map<String, PythonObject> functions = new HashMap<>();
    /** The glue's list of log streams holding a line without its newline yet, and the function that flushes them. */
    private MemorySegment unflushedStreams = MemorySegment.NULL;
    private MemorySegment flushStreams = MemorySegment.NULL;

    Python(LibPython lib, Arena arena) {
        this.lib = lib;
        this.owner = Thread.currentThread();
        this.errors = new PythonErrors(lib, arena);
        this.convert = new Conversions(lib, errors, arena);
        this.answers = new RequestAnswers(lib, convert);
    }

    void bindThreadState(PythonThread threadState) {
        this.threadState = threadState;
    }

    void enter() {
        holdsGil = true;
    }

    void leave() {
        holdsGil = false;
    }

    /**
     * Binds to the glue once it is loaded in this interpreter: its traceback formatter for later
     * errors, and its log streams, flushed after each request call.
     */
    void useGlue() {
        MemorySegment module;
        try {
            module = importModule("_httpy");
        } catch (PythonException notLoadedYet) {
            return;
        }
        try {
            errors.useDescriber(attribute(module, "describe_exception"));
            lib.decRef(unflushedStreams);
            unflushedStreams = attribute(module, "_unflushed");
            lib.decRef(flushStreams);
            flushStreams = attribute(module, "flush_streams");
        } finally {
            lib.decRef(module);
        }
    }

    /** A new reference to an attribute of the glue module. */
    MemorySegment glueAttribute(String name) {
        MemorySegment module = importModule("_httpy");
        try {
            return attribute(module, name);
        } finally {
            lib.decRef(module);
        }
    }

    /** {@code len(object)}, for a cheap emptiness check. */
    long size(MemorySegment object) {
        try {
            long size = (long) lib.PyObject_Size.invokeExact(object);
            if (size < 0) {
                throw errors.fetch();
            }
            return size;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** Drops the references this instance keeps (the glue's, cached functions and names). */
    void releaseAll() {
        functions.values().forEach(this::decRefOnce);
        functions.clear();
        errors.release();
        convert.release();
        lib.decRef(unflushedStreams);
        unflushedStreams = MemorySegment.NULL;
        lib.decRef(flushStreams);
        flushStreams = MemorySegment.NULL;
    }

    /** Finds the callable named by {@code module:function}, importing the module if needed. */
    public PythonObject function(String spec) {
        checkGil();
        MemorySegment resolve = glueAttribute("resolve");
        try {
            return new PythonObject(callObject(resolve, convert.tuple(spec)), spec);
        } finally {
            lib.decRef(resolve);
        }
    }

    /**
     * Calls {@code function(*args)} with converted arguments and converts the result.
     *
     * @throws PythonException when the function raises (also for {@code SystemExit})
     */
    public Object call(PythonObject function, Object... args) {
        checkGil();
        MemorySegment result = callObject(function.pointer(), convert.tuple(args));
        try {
            return convert.toJava(result);
        } finally {
            lib.decRef(result);
        }
    }

    /**
     * Calls a request function, {@code function(method, path, params, query, headers, body)}, and
     * checks its answer {@code (status, body, headers)} as docs/python-interface.md, "The Python interface", says.
     *
     * @throws PythonException when the function raises (also for {@code SystemExit}), or, with
     *                         type {@code _httpy.BadResponse}, when its answer cannot be sent
     */
    public PythonResponse callRequestFunction(PythonObject function, String method, String path,
                                             Map<String, List<String>> params, Map<String, List<String>> query,
                                             Map<String, List<String>> headers, byte[] body) {
        checkGil();
        MemorySegment answer;
        try {
            answer = callObject(function.pointer(), convert.tuple(method, path, params, query, headers, body));
        } catch (PythonException e) {
            try {
                flushPartialLines();
            } catch (PythonException ignored) {
                // The handler's own error is the one to report.
            }
            throw e;
        }
        try {
            flushPartialLines();
            return answers.check(answer);
        } finally {
            lib.decRef(answer);
        }
    }

    /**
     * print() without a newline in a handler still reaches the log after its request, not with
     * the next one's output; one list length read when nothing is pending.
     */
    private void flushPartialLines() {
        if (unflushedStreams.equals(MemorySegment.NULL)) {
            return;
        }
        long pending;
        try {
            pending = (long) lib.PyList_Size.invokeExact(unflushedStreams);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        if (pending > 0) {
            lib.decRef(callObject(flushStreams, convert.tuple()));
        }
    }

    /**
     * The callable named by {@code module:function} in this thread's interpreter, looked up on
     * first use and kept until the thread stops: the hot path's way to find the request function.
     */
    public PythonObject cachedFunction(String spec) {
        PythonObject function = functions.get(spec);
        if (function == null) {
            function = function(spec);
            functions.put(spec, function);
        }
        return function;
    }

    /**
     * Calls {@code function(*args)} and keeps the result as a Python object, unconverted: for
     * results that are iterators or other state Java hands back to Python later.
     */
    public PythonObject callForObject(PythonObject function, Object... args) {
        checkGil();
        return new PythonObject(callObject(function.pointer(), convert.tuple(args)), function.name() + "(...)");
    }

    /** Whether {@link #withoutGil} can release the GIL here (a thread with a thread state of its own). */
    public boolean canReleaseGil() {
        return threadState != null;
    }

    /**
     * Runs blocking Java work (writing to a slow client, say) with the GIL released, so other
     * threads run Python meanwhile, and takes the GIL back before returning.
     */
    public void withoutGil(Runnable work) {
        checkGil();
        if (threadState == null) {
            throw new IllegalStateException("this Python cannot release the GIL");
        }
        leave();
        try {
            threadState.suspend();
            try {
                work.run();
            } finally {
                threadState.resume();
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        } finally {
            enter();
        }
    }

    /** Lets go of a reference once nothing can use it any more; a second release does nothing. */
    public void release(PythonObject object) {
        checkGil();
        decRefOnce(object);
    }

    private void decRefOnce(PythonObject object) {
        MemorySegment pointer = object.take();
        if (pointer != null) {
            lib.decRef(pointer);
        }
    }

    private void checkGil() {
        if (!holdsGil || Thread.currentThread() != owner) {
            throw new IllegalStateException("Python used from " + Thread.currentThread().getName()
                    + " without the GIL; only a PythonTask, PythonRuntime.withGil or PythonRuntime.onThisThread may call Python");
        }
    }

    // ---- calls and modules (new references in, new references out) ----

    /** Calls with a new tuple of arguments, which it consumes. */
    private MemorySegment callObject(MemorySegment callable, MemorySegment args) {
        MemorySegment result;
        try {
            result = (MemorySegment) lib.PyObject_Call.invokeExact(callable, args, MemorySegment.NULL);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        } finally {
            lib.decRef(args);
        }
        return errors.check(result);
    }

    MemorySegment importModule(String name) {
        try (var arena = Arena.ofConfined()) {
            return errors.check((MemorySegment) lib.PyImport_ImportModule.invokeExact(arena.allocateFrom(name)));
        } catch (PythonException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    MemorySegment attribute(MemorySegment object, String name) {
        try (var arena = Arena.ofConfined()) {
            return errors.check((MemorySegment) lib.PyObject_GetAttrString.invokeExact(object, arena.allocateFrom(name)));
        } catch (PythonException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** Compiles Python source and runs it as a module registered under {@code name}. */
    MemorySegment execModule(String name, String source, String filename) {
        checkGil();
        try (var arena = Arena.ofConfined()) {
            var code = errors.check((MemorySegment) lib.Py_CompileString.invokeExact(
                    arena.allocateFrom(source), arena.allocateFrom(filename), LibPython.PY_FILE_INPUT));
            try {
                return errors.check((MemorySegment) lib.PyImport_ExecCodeModule.invokeExact(arena.allocateFrom(name), code));
            } finally {
                lib.decRef(code);
            }
        } catch (PythonException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** Loads httpy's glue, the module {@code _httpy}, from {@code source} into this interpreter. */
    public void loadGlue(String source) {
        decRef(execModule("_httpy", source, "<httpy>/_httpy.py"));
    }

    /** Calls {@code module.function(*args)} by name; for set-up work, not for the hot path. */
    public Object callModuleFunction(String module, String function, Object... args) {
        checkGil();
        MemorySegment mod = importModule(module);
        try {
            MemorySegment fn = attribute(mod, function);
            try {
                MemorySegment result = callObject(fn, convert.tuple(args));
                try {
                    return convert.toJava(result);
                } finally {
                    lib.decRef(result);
                }
            } finally {
                lib.decRef(fn);
            }
        } finally {
            lib.decRef(mod);
        }
    }

    // ---- for this package's tests and benchmarks ----

    MemorySegment toPython(Object value) {
        return convert.toPython(value);
    }

    Object toJava(MemorySegment object) {
        return convert.toJava(object);
    }

    void decRef(MemorySegment object) {
        lib.decRef(object);
    }

    int cachedNames() {
        return convert.cachedNames();
    }

    PythonResponse checkAnswer(MemorySegment answer) {
        return answers.check(answer);
    }
}
