package dev.httpy.python;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Turns the pending Python error into a {@link PythonException}: fetched, normalised, its
 * traceback attached, described by the glue's {@code describe_exception} once it is loaded.
 *
 * <p>Nothing here prints the error or runs it through {@code PyErr_Print}: with a pending
 * {@code SystemExit} that would exit the whole JVM. A {@code SystemExit} comes back as a
 * {@link PythonException} like any other ({@link PythonException#isSystemExit()}).
 */
final class PythonErrors {
    /** The type name of answers refused by {@link RequestAnswers}, as the glue's exception was called. */
    static final String BAD_RESPONSE = "_httpy.BadResponse";

    private final LibPython lib;
    /** Out-parameters of {@code PyErr_Fetch}: type, value, traceback; then a size. */
    private final MemorySegment slots;
    private MemorySegment describeException = MemorySegment.NULL;

    PythonErrors(LibPython lib, Arena arena) {
        this.lib = lib;
        this.slots = arena.allocate(ADDRESS, 4);
    }

    /** Describes later errors with the glue's {@code describe_exception}; takes the reference. */
    void useDescriber(MemorySegment describeException) {
        release();
        this.describeException = describeException;
    }

    void release() {
        lib.decRef(describeException);
        describeException = MemorySegment.NULL;
    }

    /** Passes a new reference through, or turns NULL into the pending Python error. */
    MemorySegment check(MemorySegment result) {
        if (result.equals(MemorySegment.NULL)) {
            throw fetch();
        }
        return result;
    }

    /** An answer httpy cannot send, said the way the error names the value and the fix. */
    static PythonException badResponse(String message) {
        return new PythonException(BAD_RESPONSE, message, "");
    }

    /** A failure of the FFM call itself (not of Python): a bug, never the user's. */
    static IllegalStateException nativeFailure(Throwable e) {
        return new IllegalStateException("native call into libpython failed", e);
    }

    /** Fetches and clears the pending error. */
    PythonException fetch() {
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
            lib.decRef(t);
            lib.decRef(v);
            lib.decRef(tb);
        }
    }

    private PythonException describe(MemorySegment type, MemorySegment value) throws Throwable {
        if (!describeException.equals(MemorySegment.NULL) && !value.equals(MemorySegment.NULL)) {
            MemorySegment args = (MemorySegment) lib.PyTuple_New.invokeExact(1L);
            if (!args.equals(MemorySegment.NULL)) {
                lib.Py_IncRef.invokeExact(value);
                int unused = (int) lib.PyTuple_SetItem.invokeExact(args, 0L, value);
                MemorySegment result = (MemorySegment) lib.PyObject_Call.invokeExact(describeException, args, MemorySegment.NULL);
                lib.decRef(args);
                if (!result.equals(MemorySegment.NULL)) {
                    try {
                        String name = textAt(result, 0);
                        String message = textAt(result, 1);
                        String traceback = textAt(result, 2);
                        if (name != null && message != null && traceback != null) {
                            return new PythonException(name, message, traceback);
                        }
                    } finally {
                        lib.decRef(result);
                    }
                }
            }
            lib.PyErr_Clear.invokeExact();
        }
        // Before the glue is loaded: the type and str() are all we can say.
        String name = str(type);
        String message = value.equals(MemorySegment.NULL) ? "" : str(value);
        return new PythonException(name == null ? "object" : name, message == null ? "" : message, "");
    }

    /** Item {@code index} of the describer's tuple as text; null when it is not one. */
    private String textAt(MemorySegment tuple, long index) throws Throwable {
        MemorySegment item = (MemorySegment) lib.PyTuple_GetItem.invokeExact(tuple, index);
        if (item.equals(MemorySegment.NULL)) {
            lib.PyErr_Clear.invokeExact();
            return null;
        }
        return utf8(item);
    }

    /** {@code str(object)}, or null (the error cleared) when even that fails. */
    private String str(MemorySegment object) throws Throwable {
        MemorySegment text = (MemorySegment) lib.PyObject_Str.invokeExact(object);
        if (text.equals(MemorySegment.NULL)) {
            lib.PyErr_Clear.invokeExact();
            return null;
        }
        try {
            return utf8(text);
        } finally {
            lib.decRef(text);
        }
    }

    private String utf8(MemorySegment unicode) throws Throwable {
        MemorySegment size = slots.asSlice(24, 8);
        MemorySegment data = (MemorySegment) lib.PyUnicode_AsUTF8AndSize.invokeExact(unicode, size);
        if (data.equals(MemorySegment.NULL)) {
            lib.PyErr_Clear.invokeExact();
            return null;
        }
        return new String(data.reinterpret(size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
