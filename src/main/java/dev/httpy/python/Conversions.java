package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
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
 * Java values to Python objects and back, for one thread holding the GIL ({@link Python} checks
 * that before calling in). The table is in {@link Python}'s class comment.
 *
 * <p>Going in, every method returns a new reference; coming out, every method takes a borrowed one.
 * The {@code str} keys of maps come from a {@link NameCache}: a request's header names, query keys
 * and parameter names are mostly the ones the last request had.
 */
final class Conversions {
    private final LibPython lib;
    private final PythonErrors errors;
    private final NameCache names;
    /** Out-parameters: PyDict_Next's position, key and value, and a size. */
    private final MemorySegment slots;

    Conversions(LibPython lib, PythonErrors errors, Arena arena) {
        this(lib, errors, arena, NameCache.CAPACITY);
    }

    /** With a cache of at most {@code names} names ({@link NameCache}); 0 for conversions of one call. */
    Conversions(LibPython lib, PythonErrors errors, Arena arena, int names) {
        this.lib = lib;
        this.errors = errors;
        this.names = new NameCache(lib, names);
        this.slots = arena.allocate(ADDRESS, 4);
    }

    /** Drops the cached names; with the GIL, before the interpreter ends. */
    void release() {
        names.release();
    }

    PythonErrors errors() {
        return errors;
    }

    int cachedNames() {
        return names.size();
    }

    // ---- Java to Python ----

    MemorySegment toPython(Object value) {
        try {
            return switch (value) {
                case null -> lib.incRef(lib.noneObject);
                case String s -> str(s);
                case byte[] bytes -> errors.check((MemorySegment) lib.PyBytes_FromStringAndSize.invokeExact(
                        MemorySegment.ofArray(bytes), (long) bytes.length));
                case Boolean b -> lib.incRef(b ? lib.trueObject : lib.falseObject);
                case Long n -> integer(n);
                case Integer n -> integer(n);
                case Short n -> integer(n);
                case Byte n -> integer(n);
                case Double d -> errors.check((MemorySegment) lib.PyFloat_FromDouble.invokeExact((double) d));
                case Float f -> errors.check((MemorySegment) lib.PyFloat_FromDouble.invokeExact((double) f));
                case Collection<?> items -> list(items);
                case Object[] items -> list(Arrays.asList(items));
                case Map<?, ?> map -> dict(map);
                case PythonObject f -> lib.incRef(f.pointer());
                default -> throw new IllegalArgumentException("cannot pass a " + value.getClass().getName()
                        + " to Python; use String, byte[], Boolean, Long, Double, List, Map or null");
            };
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** A new tuple of the converted values: the arguments of a call. */
    MemorySegment tuple(Object... items) {
        MemorySegment tuple;
        try {
            tuple = errors.check((MemorySegment) lib.PyTuple_New.invokeExact((long) items.length));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        fill(tuple, Arrays.asList(items), lib.PyTuple_SetItem);
        return tuple;
    }

    private MemorySegment str(String s) throws Throwable {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return errors.check((MemorySegment) lib.PyUnicode_FromStringAndSize.invokeExact(
                MemorySegment.ofArray(utf8), (long) utf8.length));
    }

    private MemorySegment integer(long n) throws Throwable {
        return errors.check((MemorySegment) lib.PyLong_FromLongLong.invokeExact(n));
    }

    private MemorySegment list(Collection<?> items) {
        MemorySegment list;
        try {
            list = errors.check((MemorySegment) lib.PyList_New.invokeExact((long) items.size()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        fill(list, items, lib.PyList_SetItem);
        return list;
    }

    /** Sets each slot of a new list or tuple; the set-item functions steal the item's reference. */
    private void fill(MemorySegment sequence, Collection<?> items, MethodHandle setItem) {
        long i = 0;
        try {
            for (Object item : items) {
                int unused = (int) setItem.invokeExact(sequence, i++, toPython(item));
            }
        } catch (Throwable e) {
            lib.decRef(sequence);
            throw e instanceof RuntimeException r ? r : PythonErrors.nativeFailure(e);
        }
    }

    private MemorySegment dict(Map<?, ?> map) {
        MemorySegment dict;
        try {
            dict = errors.check((MemorySegment) lib.PyDict_New.invokeExact());
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        try {
            for (var entry : map.entrySet()) {
                MemorySegment value = toPython(entry.getValue());
                try {
                    int failed;
                    if (entry.getKey() instanceof String name) {
                        failed = setName(dict, name, value);
                    } else {
                        MemorySegment key = toPython(entry.getKey());
                        try {
                            failed = (int) lib.PyDict_SetItem.invokeExact(dict, key, value);
                        } finally {
                            lib.decRef(key);
                        }
                    }
                    if (failed != 0) {
                        throw errors.fetch();
                    }
                } finally {
                    lib.decRef(value);
                }
            }
            return dict;
        } catch (Throwable e) {
            lib.decRef(dict);
            throw e instanceof RuntimeException r ? r : PythonErrors.nativeFailure(e);
        }
    }

    /** {@code dict[name] = value} with the name's {@code str} from the cache, made and offered on a miss. */
    private int setName(MemorySegment dict, String name, MemorySegment value) throws Throwable {
        MemorySegment key = names.get(name);
        if (key != null) {
            return (int) lib.PyDict_SetItemStrKey.invokeExact(dict, key, value);
        }
        key = str(name);
        try {
            names.offer(name, key);
            return (int) lib.PyDict_SetItemStrKey.invokeExact(dict, key, value);
        } finally {
            lib.decRef(key);
        }
    }

    // ---- Python to Java ----

    Object toJava(MemorySegment object) {
        try {
            if (object.equals(lib.noneObject)) {
                return null;
            }
            // An exact type match saves C calls per object on the hot path; subclasses come after.
            MemorySegment type = LibPython.typeOf(object);
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
            throw new IllegalArgumentException("cannot convert a Python " + typeText(type)
                    + " to Java; return str, bytes, int, float, bool, None, list, tuple or dict");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    private Object convert(MemorySegment object, MemorySegment kind) throws Throwable {
        if (kind.equals(lib.unicodeType)) {
            return string(object);
        } else if (kind.equals(lib.bytesType) || kind.equals(lib.byteArrayType)) {
            return bytes(object);
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
        } else {
            return map(object);
        }
    }

    /** The text of a {@code str} (or subclass); a lone surrogate raises UnicodeEncodeError. */
    String string(MemorySegment unicode) {
        return new String(utf8(unicode), StandardCharsets.UTF_8);
    }

    /** The UTF-8 encoding of a {@code str} (or subclass), as the body of an answer needs it. */
    byte[] utf8(MemorySegment unicode) {
        try {
            MemorySegment size = slots.asSlice(24, 8);
            MemorySegment data = (MemorySegment) lib.PyUnicode_AsUTF8AndSize.invokeExact(unicode, size);
            if (data.equals(MemorySegment.NULL)) {
                // Lone surrogates cannot be encoded; say so instead of sending mangled text.
                throw errors.fetch();
            }
            return data.reinterpret(size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** The contents of a {@code bytes} or {@code bytearray} (or subclass). */
    byte[] bytes(MemorySegment object) {
        try {
            MemorySegment data;
            long size;
            if (lib.isInstance(object, lib.bytesType)) {
                size = (long) lib.PyBytes_Size.invokeExact(object);
                data = (MemorySegment) lib.PyBytes_AsString.invokeExact(object);
            } else {
                size = (long) lib.PyByteArray_Size.invokeExact(object);
                data = (MemorySegment) lib.PyByteArray_AsString.invokeExact(object);
            }
            return size == 0 ? new byte[0] : data.reinterpret(size).toArray(JAVA_BYTE);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** An {@code int}: a Long, or a BigInteger when it does not fit. */
    Object integer(MemorySegment object) {
        try {
            long value = (long) lib.PyLong_AsLongLong.invokeExact(object);
            if (value == -1 && !((MemorySegment) lib.PyErr_Occurred.invokeExact()).equals(MemorySegment.NULL)) {
                lib.PyErr_Clear.invokeExact();
                return new BigInteger(str(object));
            }
            return value;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
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

    /**
     * Steps through a dict as {@code PyDict_Next} does: true and the borrowed key and value in
     * {@code entry[0..1]} while there is one. {@code position} starts at 0.
     */
    boolean next(MemorySegment dict, long[] position, MemorySegment[] entry) {
        try {
            MemorySegment pos = slots.asSlice(0, 8);
            pos.set(JAVA_LONG, 0, position[0]);
            if ((int) lib.PyDict_Next.invokeExact(dict, pos, slots.asSlice(8, 8), slots.asSlice(16, 8)) == 0) {
                return false;
            }
            position[0] = pos.get(JAVA_LONG, 0);
            entry[0] = slots.get(ADDRESS, 8);
            entry[1] = slots.get(ADDRESS, 16);
            return true;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    // ---- text for error messages (these may run the object's Python code) ----

    /** {@code str(object)}. */
    String str(MemorySegment object) {
        return text(lib.PyObject_Str, object);
    }

    /** {@code repr(object)}. */
    String repr(MemorySegment object) {
        return text(lib.PyObject_Repr, object);
    }

    /** The Java string of what {@code PyObject_Str} or {@code PyObject_Repr} makes of {@code object}. */
    private String text(java.lang.invoke.MethodHandle toText, MemorySegment object) {
        MemorySegment text;
        try {
            text = errors.check((MemorySegment) toText.invokeExact(object));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        try {
            return string(text);
        } finally {
            lib.decRef(text);
        }
    }

    /** {@code type(object).__name__}. */
    String typeName(MemorySegment object) {
        try (var arena = Arena.ofConfined()) {
            MemorySegment name = (MemorySegment) lib.PyObject_GetAttrString.invokeExact(
                    LibPython.typeOf(object), arena.allocateFrom("__name__"));
            if (name.equals(MemorySegment.NULL)) {
                lib.PyErr_Clear.invokeExact();
                return "object";
            }
            try {
                return str(name);
            } finally {
                lib.decRef(name);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /** {@code str(type)}, such as {@code <class 'mod.Opaque'>}, or "object" when even that fails. */
    private String typeText(MemorySegment type) throws Throwable {
        MemorySegment text = (MemorySegment) lib.PyObject_Str.invokeExact(type);
        if (text.equals(MemorySegment.NULL)) {
            lib.PyErr_Clear.invokeExact();
            return "object";
        }
        try {
            return string(text);
        } finally {
            lib.decRef(text);
        }
    }
}
