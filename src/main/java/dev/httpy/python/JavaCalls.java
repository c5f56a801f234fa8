package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.httpy.tracing.Tracing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Python calling Java: the C functions behind {@code httpy.java(name)} and the methods of the
 * proxies it returns, FFM upcalls into this object. One instance per web app's runtime, with
 * an upcall stub of its own, so the functions one app's interpreters hold lead only to that app's
 * {@link JavaObjects}.
 *
 * <p>Each Python function made here is a {@code PyCFunction} (METH_FASTCALL) whose {@code self}
 * is a capsule holding a token, an index into this instance's table of targets. Python code cannot
 * change a function's {@code self}, and the token means nothing to another app's stub.
 *
 * <p>An upcall runs on whichever thread calls the function in Python, holding the GIL there: it
 * converts the arguments, lets go of the GIL while the Java method runs, takes it back and
 * converts the result. Its conversions use a context made for the call (a {@link Conversions} in a
 * confined arena, caching nothing): the calling thread may be a worker, a container's thread, a
 * thread the app started or one in an interpreter with its own GIL, and none of their
 * {@link Python}s is needed, or touched. Nothing it throws may reach native code (the JVM would abort), so every
 * failure becomes a Python exception.
 */
public final class JavaCalls {
    private static final System.Logger LOG = System.getLogger(JavaCalls.class.getName());
    /** What httpy.py's _TRACE puts before Python's traceparent in a call's arguments. */
    private static final String TRACE_MARK = "\0httpy.traceparent";
    /** {@code PyObject *(*)(PyObject *self, PyObject *const *args, Py_ssize_t nargs)}. */
    private static final FunctionDescriptor FASTCALL = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final int METH_FASTCALL = 0x0080;
    /** PyMethodDef: {const char *ml_name; PyCFunction ml_meth; int ml_flags; const char *ml_doc;}. */
    private static final StructLayout METHOD_DEF = MemoryLayout.structLayout(ADDRESS.withName("ml_name"),
            ADDRESS.withName("ml_meth"), JAVA_INT.withName("ml_flags"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("ml_doc"));

    /** What a token leads to: the lookup behind {@code httpy.java}, or one method name of one exposed object. */
    private sealed interface Target permits Lookup, Methods {
    }

    private record Lookup() implements Target {
    }

    private record Methods(JavaObjects.Exposed object, String name, Map<Integer, JavaObjects.Method> byCount)
            implements Target {
    }

    private final LibPython lib;
    /** Holds the stub, the method definitions and the capsule name; closed only once no interpreter can call them. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment stub;
    private final MemorySegment capsuleName;
    private final MemorySegment lookupDef;
    /** Token i + 1 is targets[i]. */
    private final List<Target> targets = new CopyOnWriteArrayList<>();
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> methodDefs = new ConcurrentHashMap<>();
    private final Map<String, MemorySegment> cStrings = new ConcurrentHashMap<>();
    private final MemorySegment typeError;
    private final MemorySegment lookupError;
    private final MemorySegment systemError;
    private final MethodHandle capsuleNew;
    private final MethodHandle capsuleGetPointer;
    private final MethodHandle functionNew;
    private final MethodHandle setString;
    private final MethodHandle setObject;
    private final MethodHandle setAttr;
    private volatile JavaObjects objects;
    /** Why httpy.java finds nothing in this runtime's interpreters; null when it may. */
    private final String refusal;
    /** Set when another web app joined the main interpreter this runtime had alone: why calls stop. */
    private volatile String withdrawn;
    private volatile boolean closed;
    /** This runtime's interpreter is the process's main one, which outlives it. */
    private final boolean mainInterpreter;
    /** Functions made here were bound into the main interpreter. */
    private volatile boolean boundInMain;

    public JavaCalls(LibPython lib, String refusal, boolean mainInterpreter) {
        this.lib = lib;
        this.refusal = refusal;
        this.mainInterpreter = mainInterpreter;
        try {
            var call = MethodHandles.lookup().findVirtual(JavaCalls.class, "call",
                    MethodType.methodType(MemorySegment.class, MemorySegment.class, MemorySegment.class, long.class));
            stub = Linker.nativeLinker().upcallStub(call.bindTo(this), FASTCALL, arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        capsuleName = arena.allocateFrom("httpy.java");
        capsuleNew = lib.function("PyCapsule_New", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        capsuleGetPointer = lib.function("PyCapsule_GetPointer", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        functionNew = lib.function("PyCFunction_NewEx", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        setString = lib.function("PyErr_SetString", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        setObject = lib.function("PyErr_SetObject", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        setAttr = lib.function("PyObject_SetAttrString", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        typeError = exception("PyExc_TypeError");
        lookupError = exception("PyExc_LookupError");
        systemError = exception("PyExc_SystemError");
        targets.add(new Lookup());
        lookupDef = methodDef("_lookup", "_lookup(name): the exposed methods of the Java object named name");
    }

    private MemorySegment exception(String symbol) {
        return lib.symbol(symbol).reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
    }

    /**
     * From now on every function made here raises {@code LookupError} with {@code reason}, proxies
     * Python code already holds included: another web app's Python now shares the interpreter and
     * could reach them.
     */
    public void withdraw(String reason) {
        withdrawn = reason;
    }

    /** The objects {@code httpy.java} finds from now on. */
    public void use(JavaObjects objects) {
        this.objects = objects;
    }

    /**
     * In the interpreter {@code py} runs in, with the GIL: loads the {@code httpy} module and gives
     * it its lookup function, or, where Java objects are not reachable, the reason.
     */
    public void bind(Python py, String source) {
        py.callModuleFunction("_httpy", "load_module", "httpy", source);
        MemorySegment module = py.importModule("httpy");
        try (var local = Arena.ofConfined()) {
            if (refusal != null) {
                py.callModuleFunction("httpy", "_refuse", refusal);
                return;
            }
            MemorySegment function = function(lookupDef, 1);
            try {
                if ((int) setAttr.invokeExact(module, local.allocateFrom("_lookup"), function) != 0) {
                    throw new IllegalStateException("cannot bind httpy._lookup");
                }
                py.callModuleFunction("httpy", "_forget_proxies", Tracing.present());
                boundInMain = mainInterpreter;
            } finally {
                lib.decRef(function);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        } finally {
            lib.decRef(module);
        }
    }

    /**
     * Frees the stub and everything the functions point at: only once no interpreter holds one
     * (the app's sub-interpreters have ended), or a call would jump into freed memory. Functions
     * bound into the main interpreter may outlive this runtime there (a module keeps them; a later
     * app's bind drops them, which reads their definitions), so then nothing is freed: the calls
     * answer "no longer valid", and the web app's objects are let go.
     */
    public void close() {
        closed = true;
        objects = null;
        if (!boundInMain) {
            arena.close();
        }
    }

    // ---- the upcall ----

    /** Every Python call of a function made here lands here, with the GIL held. Never throws. */
    private MemorySegment call(MemorySegment self, MemorySegment args, long nargs) {
        try {
            var pointer = (MemorySegment) capsuleGetPointer.invokeExact(self, capsuleName);
            long token = pointer.address();
            if (token < 1 || token > targets.size() || closed) {
                return raise(systemError, "this Java function is no longer valid (the web app stopped?)");
            }
            String reason = withdrawn;
            if (reason != null) {
                return raise(lookupError, "no Java object: " + reason);
            }
            MemorySegment argv = nargs == 0 ? MemorySegment.NULL : args.reinterpret(nargs * ADDRESS.byteSize());
            try (var local = Arena.ofConfined()) {
                var errors = new PythonErrors(lib, local);
                // Lives for this call only, so it caches no names (they would belong to whichever interpreter calls).
                var convert = new Conversions(lib, errors, local, 0);
                try {
                    return switch (targets.get((int) token - 1)) {
                        case Lookup l -> lookup(convert, argv, nargs);
                        case Methods m -> invoke(convert, m, argv, nargs);
                    };
                } finally {
                    convert.release();
                }
            }
        } catch (Throwable e) {
            try {
                LOG.log(System.Logger.Level.ERROR, "a call from Python into Java failed inside httpy", e);
                return raise(systemError, "httpy failed to call Java: " + e);
            } catch (Throwable ignored) {
                // Without a Python error set, Python raises SystemError itself: still no crash.
                return MemorySegment.NULL;
            }
        }
    }

    /** {@code httpy._lookup(name)}: a dict of the exposed object's methods, each a function made here. */
    private MemorySegment lookup(Conversions convert, MemorySegment argv, long nargs) throws Throwable {
        if (nargs != 1 || !lib.isInstance(argv.get(ADDRESS, 0), lib.unicodeType)) {
            return raise(typeError, "httpy.java() takes the name of an exposed Java object, a str");
        }
        String name;
        try {
            name = convert.string(argv.get(ADDRESS, 0));
        } catch (PythonException unencodable) {
            return raise(typeError, "httpy.java(): the name is not valid text: " + unencodable.getMessage());
        }
        JavaObjects registry = objects;
        JavaObjects.Exposed object = registry == null ? null : registry.get(name);
        if (object == null) {
            return raise(lookupError, "no Java object is exposed to Python as \"" + name + "\"; "
                    + (registry == null ? "none is exposed" : registry.listing())
                    + " (a web app exposes them with PythonExposures.expose or the context-param python.beans)");
        }
        MemorySegment dict = convert.toPython(Map.of());
        try {
            for (var method : object.methods().entrySet()) {
                long token = tokens.computeIfAbsent(name + "\0" + method.getKey(), key -> {
                    // Own-GIL interpreters look up in parallel: the index and the size must be one step.
                    synchronized (targets) {
                        targets.add(new Methods(object, method.getKey(), method.getValue()));
                        return (long) targets.size();
                    }
                });
                String doc = method.getValue().values().stream().map(JavaObjects.Method::signature)
                        .reduce((a, b) -> a + "\n" + b).orElse("") + "\nA Java method exposed to Python.";
                MemorySegment def = methodDefs.computeIfAbsent(name + "\0" + method.getKey(),
                        key -> methodDef(method.getKey(), doc));
                MemorySegment function = function(def, token);
                MemorySegment key = convert.toPython(method.getKey());
                try {
                    if ((int) lib.PyDict_SetItem.invokeExact(dict, key, function) != 0) {
                        lib.decRef(dict);
                        return MemorySegment.NULL;
                    }
                } finally {
                    lib.decRef(key);
                    lib.decRef(function);
                }
            }
            return dict;
        } catch (Throwable e) {
            lib.decRef(dict);
            throw e;
        }
    }

    /** A call of an exposed method: arguments in, the GIL let go while Java runs, the result out. */
    private MemorySegment invoke(Conversions convert, Methods methods, MemorySegment argv, long nargs) throws Throwable {
        // httpy.py's wrapper put Python's current span first (Tracing.present() only): the call runs under it.
        String traceparent = null;
        if (nargs >= 2 && Tracing.present() && lib.isInstance(argv.get(ADDRESS, 0), lib.unicodeType)
                && TRACE_MARK.equals(convert.string(argv.get(ADDRESS, 0)))) {
            traceparent = convert.string(argv.getAtIndex(ADDRESS, 1));
            argv = argv.asSlice(2 * ADDRESS.byteSize());
            nargs -= 2;
        }
        JavaObjects.Method method = methods.byCount().get((int) nargs);
        if (method == null) {
            return raise(typeError, methods.name() + "() takes " + String.join(" or ", methods.byCount().keySet()
                    .stream().map(String::valueOf).toList()) + " arguments (" + nargs + " given)");
        }
        var arguments = new Object[(int) nargs];
        for (int i = 0; i < nargs; i++) {
            MemorySegment arg = argv.getAtIndex(ADDRESS, i);
            Object value;
            try {
                value = convert.toJava(arg);
            } catch (IllegalArgumentException | PythonException e) {
                return raise(typeError, "argument " + (i + 1) + " of " + methods.name() + "() is a "
                        + convert.typeName(arg) + ", which cannot pass to Java; give str, bytes, int, float, bool,"
                        + " None, list, tuple or dict");
            }
            try {
                arguments[i] = method.adapt(i, value);
            } catch (IllegalArgumentException e) {
                return raise(typeError, e.getMessage());
            }
        }
        Object result;
        Throwable thrown = null;
        var state = (MemorySegment) lib.PyEval_SaveThread.invokeExact();
        try {
            String parent = traceparent;
            result = Tracing.under(parent, () -> method.invoke(methods.object().target(), arguments));
        } catch (Throwable e) {
            result = null;
            thrown = e;
        } finally {
            lib.PyEval_RestoreThread.invokeExact(state);
        }
        if (thrown != null) {
            return raiseJavaError(convert, thrown);
        }
        try {
            return convert.toPython(result);
        } catch (IllegalArgumentException | PythonException e) {
            return raise(typeError, method.signature() + " returned a " + result.getClass().getName()
                    + ", which Python cannot receive: " + e.getMessage());
        }
    }

    /** Raises {@code httpy.JavaError(java_class, message)} of the calling interpreter. */
    private MemorySegment raiseJavaError(Conversions convert, Throwable thrown) throws Throwable {
        MemorySegment module = (MemorySegment) lib.PyImport_ImportModule.invokeExact(cString("httpy"));
        if (module.equals(MemorySegment.NULL)) {
            return MemorySegment.NULL;
        }
        try (var local = Arena.ofConfined()) {
            var type = (MemorySegment) lib.PyObject_GetAttrString.invokeExact(module, local.allocateFrom("JavaError"));
            if (type.equals(MemorySegment.NULL)) {
                return MemorySegment.NULL;
            }
            try {
                MemorySegment args = convert.tuple(thrown.getClass().getName(), thrown.getMessage());
                var error = (MemorySegment) lib.PyObject_Call.invokeExact(type, args, MemorySegment.NULL);
                lib.decRef(args);
                if (error.equals(MemorySegment.NULL)) {
                    return MemorySegment.NULL;
                }
                setObject.invokeExact(type, error);
                lib.decRef(error);
                return MemorySegment.NULL;
            } finally {
                lib.decRef(type);
            }
        } finally {
            lib.decRef(module);
        }
    }

    /** A C string that lives as long as this instance, made once. */
    private MemorySegment cString(String text) {
        return cStrings.computeIfAbsent(text, arena::allocateFrom);
    }

    /** Sets a Python error of {@code type} and returns the NULL that signals it. */
    private MemorySegment raise(MemorySegment type, String message) throws Throwable {
        try (var local = Arena.ofConfined()) {
            setString.invokeExact(type, local.allocateFrom(message));
        }
        return MemorySegment.NULL;
    }

    // ---- making functions ----

    /** A PyMethodDef for {@code name}, living as long as this instance. */
    private MemorySegment methodDef(String name, String doc) {
        MemorySegment def = arena.allocate(METHOD_DEF);
        def.set(ADDRESS, 0, arena.allocateFrom(name));
        def.set(ADDRESS, 8, stub);
        def.set(JAVA_INT, 16, METH_FASTCALL);
        def.set(ADDRESS, 24, arena.allocateFrom(doc));
        return def;
    }

    /** A new function calling this instance's stub with {@code token} as its bound self. */
    private MemorySegment function(MemorySegment def, long token) throws Throwable {
        var capsule = (MemorySegment) capsuleNew.invokeExact(MemorySegment.ofAddress(token), capsuleName, MemorySegment.NULL);
        if (capsule.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("PyCapsule_New failed");
        }
        try {
            var function = (MemorySegment) functionNew.invokeExact(def, capsule, MemorySegment.NULL);
            if (function.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("PyCFunction_NewEx failed");
            }
            return function;
        } finally {
            lib.decRef(capsule);
        }
    }
}
