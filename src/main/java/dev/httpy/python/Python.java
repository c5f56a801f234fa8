package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The interpreter as seen by one thread that holds the GIL: the only way to call Python.
 *
 * <p>An instance belongs to one thread and works only while that thread holds the GIL (inside a
 * {@link PythonTask}, {@link PythonRuntime#withGil} or {@link PythonRuntime#onThisThread}); any other use throws
 * {@link IllegalStateException} instead of crashing the JVM.
 *
 * <p>Conversions, both ways: {@code null} = {@code None}, {@link String} = {@code str},
 * {@code byte[]} = {@code bytes}, {@link Boolean} = {@code bool}, {@link Long} (and the other
 * integral boxes going in; {@link BigInteger} coming back when it does not fit) = {@code int},
 * {@link Double} (and {@link Float} going in) = {@code float}, {@link List} = {@code list} (a
 * {@code tuple} comes back as a List too), {@link Map} = {@code dict}. Anything else is refused
 * with an {@link IllegalArgumentException} naming its type.
 */
public final class Python {
    private final LibPython lib;
    private final Thread owner;
    // Out-parameters for PyErr_Fetch, PyDict_Next and PyUnicode_AsUTF8AndSize.
    private final MemorySegment slots;
    private boolean holdsGil;
    /** The thread state the owner attaches with, for {@link #withoutGil}; null where not allowed. */
    private ThreadState threadState;
    private MemorySegment describeException = MemorySegment.NULL;
    /** Functions looked up by {@link #cachedFunction}; they belong to this thread's interpreter. */
    private final Map<String, PythonObject> functions = new java.util.HashMap<>();

    Python(LibPython lib, Arena arena) {
        this.lib = lib;
        this.owner = Thread.currentThread();
        this.slots = arena.allocate(ADDRESS, 4);
    }

    void bindThreadState(ThreadState threadState) {
        this.threadState = threadState;
    }

    void enter() {
        holdsGil = true;
    }

    void leave() {
        holdsGil = false;
    }

    /** Formats later errors with the glue's traceback formatter, once the glue is loaded. */
    void useGlueDescriber() {
        MemorySegment module;
        try {
            module = importModule("_httpy");
        } catch (PythonException notLoadedYet) {
            return;
        }
        try {
            describeException = attribute(module, "describe_exception");
        } finally {
            decRef(module);
        }
    }

    /** A new reference to an attribute of the glue module. */
    MemorySegment glueAttribute(String name) {
        MemorySegment module = importModule("_httpy");
        try {
            return attribute(module, name);
        } finally {
            decRef(module);
        }
    }

    /** {@code len(object)}, for a cheap emptiness check. */
    long size(MemorySegment object) {
        try {
            long size = (long) lib.PyObject_Size.invokeExact(object);
            if (size < 0) {
                throw fetchError();
            }
            return size;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
    }

    /** Drops the references this instance keeps (the glue's formatter, cached functions). */
    void releaseAll() {
        functions.values().forEach(f -> decRef(f.pointer));
        functions.clear();
        decRef(describeException);
        describeException = MemorySegment.NULL;
    }

    /** Finds the callable named by {@code module:function}, importing the module if needed. */
    public PythonObject function(String spec) {
        checkGil();
        MemorySegment glue = importModule("_httpy");
        MemorySegment resolve;
        try {
            resolve = attribute(glue, "resolve");
        } finally {
            decRef(glue);
        }
        try {
            MemorySegment args = tuple(List.of(spec));
            MemorySegment found = callObject(resolve, args);
            return new PythonObject(found, spec);
        } finally {
            decRef(resolve);
        }
    }

    /**
     * Calls {@code function(*args)} with converted arguments and converts the result.
     *
     * @throws PythonException when the function raises (also for {@code SystemExit})
     */
    public Object call(PythonObject function, Object... args) {
        checkGil();
        MemorySegment result = callObject(function.pointer, tuple(Arrays.asList(args)));
        try {
            return toJava(result);
        } finally {
            decRef(result);
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
        return new PythonObject(callObject(function.pointer, tuple(Arrays.asList(args))), function.name() + "(...)");
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
            threadState.detach();
            try {
                work.run();
            } finally {
                threadState.attach();
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        } finally {
            enter();
        }
    }

    /** Lets go of a function once no request can use it any more. */
    public void release(PythonObject function) {
        checkGil();
        decRef(function.pointer);
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
            throw native_(e);
        } finally {
            decRef(args);
        }
        return check(result);
    }

    MemorySegment importModule(String name) {
        try (var arena = Arena.ofConfined()) {
            return check((MemorySegment) lib.PyImport_ImportModule.invokeExact(arena.allocateFrom(name)));
        } catch (PythonException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
    }

    MemorySegment attribute(MemorySegment object, String name) {
        try (var arena = Arena.ofConfined()) {
            return check((MemorySegment) lib.PyObject_GetAttrString.invokeExact(object, arena.allocateFrom(name)));
        } catch (PythonException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
    }

    /** Compiles Python source and runs it as a module registered under {@code name}. */
    MemorySegment execModule(String name, String source, String filename) {
        checkGil();
        try (var arena = Arena.ofConfined()) {
            var code = check((MemorySegment) lib.Py_CompileString.invokeExact(
                    arena.allocateFrom(source), arena.allocateFrom(filename), LibPython.PY_FILE_INPUT));
            try {
                return check((MemorySegment) lib.PyImport_ExecCodeModule.invokeExact(arena.allocateFrom(name), code));
            } finally {
                decRef(code);
            }
        } catch (PythonException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
    }

    /** Calls {@code module.function(*args)} by name; for set-up work, not for the hot path. */
    Object callModuleFunction(String module, String function, Object... args) {
        checkGil();
        MemorySegment mod = importModule(module);
        try {
            MemorySegment fn = attribute(mod, function);
            try {
                MemorySegment result = callObject(fn, tuple(Arrays.asList(args)));
                try {
                    return toJava(result);
                } finally {
                    decRef(result);
                }
            } finally {
                decRef(fn);
            }
        } finally {
            decRef(mod);
        }
    }

    // ---- Java to Python: every method returns a new reference ----

    MemorySegment toPython(Object value) {
        try {
            return switch (value) {
                case null -> incRef(lib.noneObject);
                case String s -> {
                    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                    yield check((MemorySegment) lib.PyUnicode_FromStringAndSize.invokeExact(
                            MemorySegment.ofArray(utf8), (long) utf8.length));
                }
                case byte[] bytes -> check((MemorySegment) lib.PyBytes_FromStringAndSize.invokeExact(
                        MemorySegment.ofArray(bytes), (long) bytes.length));
                case Boolean b -> incRef(b ? lib.trueObject : lib.falseObject);
                case Long n -> check((MemorySegment) lib.PyLong_FromLongLong.invokeExact((long) n));
                case Integer n -> check((MemorySegment) lib.PyLong_FromLongLong.invokeExact((long) n));
                case Short n -> check((MemorySegment) lib.PyLong_FromLongLong.invokeExact((long) n));
                case Byte n -> check((MemorySegment) lib.PyLong_FromLongLong.invokeExact((long) n));
                case Double d -> check((MemorySegment) lib.PyFloat_FromDouble.invokeExact((double) d));
                case Float f -> check((MemorySegment) lib.PyFloat_FromDouble.invokeExact((double) f));
                case Collection<?> items -> list(items);
                case Object[] items -> list(Arrays.asList(items));
                case Map<?, ?> map -> dict(map);
                case PythonObject f -> incRef(f.pointer);
                default -> throw new IllegalArgumentException("cannot pass a " + value.getClass().getName()
                        + " to Python; use String, byte[], Boolean, Long, Double, List, Map or null");
            };
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
    }

    private MemorySegment tuple(List<?> items) {
        MemorySegment tuple;
        try {
            tuple = check((MemorySegment) lib.PyTuple_New.invokeExact((long) items.size()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
        fill(tuple, items, lib.PyTuple_SetItem);
        return tuple;
    }

    private MemorySegment list(Collection<?> items) {
        MemorySegment list;
        try {
            list = check((MemorySegment) lib.PyList_New.invokeExact((long) items.size()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
        fill(list, items, lib.PyList_SetItem);
        return list;
    }

    /** Sets each slot of a new list or tuple; the set-item functions steal the item's reference. */
    private void fill(MemorySegment sequence, Collection<?> items, java.lang.invoke.MethodHandle setItem) {
        long i = 0;
        try {
            for (Object item : items) {
                int unused = (int) setItem.invokeExact(sequence, i++, toPython(item));
            }
        } catch (Throwable e) {
            decRef(sequence);
            throw e instanceof RuntimeException r ? r : native_(e);
        }
    }

    private MemorySegment dict(Map<?, ?> map) {
        MemorySegment dict;
        try {
            dict = check((MemorySegment) lib.PyDict_New.invokeExact());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
        try {
            for (var entry : map.entrySet()) {
                MemorySegment key = toPython(entry.getKey());
                MemorySegment value = MemorySegment.NULL;
                try {
                    value = toPython(entry.getValue());
                    if ((int) lib.PyDict_SetItem.invokeExact(dict, key, value) != 0) {
                        throw fetchError();
                    }
                } finally {
                    decRef(key);
                    decRef(value);
                }
            }
            return dict;
        } catch (Throwable e) {
            decRef(dict);
            throw e instanceof RuntimeException r ? r : native_(e);
        }
    }

    // ---- Python to Java: borrowed references in ----

    Object toJava(MemorySegment object) {
        try {
            if (object.equals(lib.noneObject)) {
                return null;
            }
            // ob_type follows the 8-byte reference count in every GIL build from 3.10 to 3.14; an
            // exact type match saves C calls per object on the hot path, subclasses come after.
            MemorySegment type = object.reinterpret(16).get(ADDRESS, 8);
            for (MemorySegment kind : lib.convertibleTypes) {
                if (type.equals(kind)) {
                    return convert(object, kind);
                }
            }
            for (MemorySegment kind : lib.convertibleTypes) {
                if ((int) lib.PyObject_IsInstance.invokeExact(object, kind) == 1) {
                    return convert(object, kind);
                }
            }
            throw new IllegalArgumentException("cannot convert a Python " + typeName(type)
                    + " to Java; return str, bytes, int, float, bool, None, list, tuple or dict");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw native_(e);
        }
    }

    private Object convert(MemorySegment object, MemorySegment kind) throws Throwable {
        if (kind.equals(lib.unicodeType)) {
            return string(object);
        } else if (kind.equals(lib.bytesType)) {
            long size = (long) lib.PyBytes_Size.invokeExact(object);
            MemorySegment data = (MemorySegment) lib.PyBytes_AsString.invokeExact(object);
            return data.reinterpret(size).toArray(JAVA_BYTE);
        } else if (kind.equals(lib.boolType)) {
            return object.equals(lib.trueObject);
        } else if (kind.equals(lib.longType)) {
            return integer(object);
        } else if (kind.equals(lib.floatType)) {
            return (double) lib.PyFloat_AsDouble.invokeExact(object);
        } else if (kind.equals(lib.tupleType)) {
            long size = (long) lib.PyTuple_Size.invokeExact(object);
            var items = new ArrayList<Object>((int) size);
            for (long i = 0; i < size; i++) {
                items.add(toJava((MemorySegment) lib.PyTuple_GetItem.invokeExact(object, i)));
            }
            return Collections.unmodifiableList(items);
        } else if (kind.equals(lib.listType)) {
            long size = (long) lib.PyList_Size.invokeExact(object);
            var items = new ArrayList<Object>((int) size);
            for (long i = 0; i < size; i++) {
                items.add(toJava((MemorySegment) lib.PyList_GetItem.invokeExact(object, i)));
            }
            return items;
        } else if (kind.equals(lib.dictType)) {
            return map(object);
        } else {
            long size = (long) lib.PyByteArray_Size.invokeExact(object);
            MemorySegment data = (MemorySegment) lib.PyByteArray_AsString.invokeExact(object);
            return data.reinterpret(size).toArray(JAVA_BYTE);
        }
    }

    private String string(MemorySegment unicode) throws Throwable {
        MemorySegment size = slots.asSlice(0, JAVA_LONG.byteSize());
        MemorySegment utf8 = (MemorySegment) lib.PyUnicode_AsUTF8AndSize.invokeExact(unicode, size);
        if (utf8.equals(MemorySegment.NULL)) {
            // Lone surrogates cannot be encoded; say so instead of sending mangled text.
            throw fetchError();
        }
        return new String(utf8.reinterpret(size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private Object integer(MemorySegment object) throws Throwable {
        long value = (long) lib.PyLong_AsLongLong.invokeExact(object);
        if (value == -1 && !((MemorySegment) lib.PyErr_Occurred.invokeExact()).equals(MemorySegment.NULL)) {
            lib.PyErr_Clear.invokeExact();
            MemorySegment text = check((MemorySegment) lib.PyObject_Str.invokeExact(object));
            try {
                return new BigInteger(string(text));
            } finally {
                decRef(text);
            }
        }
        return value;
    }

    private Map<Object, Object> map(MemorySegment dict) throws Throwable {
        var map = new LinkedHashMap<Object, Object>();
        MemorySegment pos = slots.asSlice(0, 8);
        MemorySegment key = slots.asSlice(8, 8);
        MemorySegment value = slots.asSlice(16, 8);
        long position = 0;
        while (true) {
            pos.set(JAVA_LONG, 0, position);
            if ((int) lib.PyDict_Next.invokeExact(dict, pos, key, value) == 0) {
                return map;
            }
            position = pos.get(JAVA_LONG, 0);
            // Read both before converting: a nested dict reuses the same slots.
            MemorySegment k = key.get(ADDRESS, 0);
            MemorySegment v = value.get(ADDRESS, 0);
            map.put(toJava(k), toJava(v));
        }
    }

    private String typeName(MemorySegment type) throws Throwable {
        MemorySegment text = (MemorySegment) lib.PyObject_Str.invokeExact(type);
        if (text.equals(MemorySegment.NULL)) {
            lib.PyErr_Clear.invokeExact();
            return "object";
        }
        try {
            return string(text);
        } finally {
            decRef(text);
        }
    }

    // ---- reference counts and errors ----

    private MemorySegment incRef(MemorySegment object) throws Throwable {
        lib.Py_IncRef.invokeExact(object);
        return object;
    }

    void decRef(MemorySegment object) {
        if (object.equals(MemorySegment.NULL)) {
            return;
        }
        try {
            lib.Py_DecRef.invokeExact(object);
        } catch (Throwable e) {
            throw native_(e);
        }
    }

    /** Passes a new reference through, or turns NULL into the pending Python error. */
    private MemorySegment check(MemorySegment result) {
        if (result.equals(MemorySegment.NULL)) {
            throw fetchError();
        }
        return result;
    }

    /**
     * Fetches and clears the pending error. It is never printed: {@code PyErr_Print} of a pending
     * {@code SystemExit} would exit the whole JVM.
     */
    PythonException fetchError() {
        MemorySegment type = slots.asSlice(0, 8);
        MemorySegment value = slots.asSlice(8, 8);
        MemorySegment traceback = slots.asSlice(16, 8);
        MemorySegment t = MemorySegment.NULL;
        MemorySegment v = MemorySegment.NULL;
        MemorySegment tb = MemorySegment.NULL;
        try {
            lib.PyErr_Fetch.invokeExact(type, value, traceback);
            if (type.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
                return new PythonException("SystemError", "a Python call failed without setting an error", "");
            }
            lib.PyErr_NormalizeException.invokeExact(type, value, traceback);
            t = type.get(ADDRESS, 0);
            v = value.get(ADDRESS, 0);
            tb = traceback.get(ADDRESS, 0);
            if (!tb.equals(MemorySegment.NULL) && !v.equals(MemorySegment.NULL)) {
                int unused = (int) lib.PyException_SetTraceback.invokeExact(v, tb);
            }
            return describe(t, v);
        } catch (Throwable e) {
            return new PythonException("SystemError", "could not fetch the Python error: " + e, "");
        } finally {
            decRef(t);
            decRef(v);
            decRef(tb);
        }
    }

    private PythonException describe(MemorySegment type, MemorySegment value) throws Throwable {
        if (!describeException.equals(MemorySegment.NULL) && !value.equals(MemorySegment.NULL)) {
            MemorySegment args = check((MemorySegment) lib.PyTuple_New.invokeExact(1L));
            lib.Py_IncRef.invokeExact(value);
            int unused = (int) lib.PyTuple_SetItem.invokeExact(args, 0L, value);
            MemorySegment result = (MemorySegment) lib.PyObject_Call.invokeExact(describeException, args, MemorySegment.NULL);
            decRef(args);
            if (!result.equals(MemorySegment.NULL)) {
                try {
                    if (toJava(result) instanceof List<?> parts && parts.size() == 3) {
                        return new PythonException((String) parts.get(0), (String) parts.get(1), (String) parts.get(2));
                    }
                } finally {
                    decRef(result);
                }
            }
            lib.PyErr_Clear.invokeExact();
        }
        // Before the glue is loaded: the type and str() are all we can say.
        String name = typeName(type);
        String message = "";
        if (!value.equals(MemorySegment.NULL)) {
            MemorySegment text = (MemorySegment) lib.PyObject_Str.invokeExact(value);
            if (text.equals(MemorySegment.NULL)) {
                lib.PyErr_Clear.invokeExact();
            } else {
                message = string(text);
                decRef(text);
            }
        }
        return new PythonException(name, message, "");
    }

    private static IllegalStateException native_(Throwable e) {
        return new IllegalStateException("native call into libpython failed", e);
    }
}
