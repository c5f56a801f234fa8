package dev.httpy.python;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.httpy.os.Libc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The raw CPython C API, one method handle per function this bridge uses.
 *
 * <p>Nothing here checks the GIL: the bridge's classes call these functions only with the GIL held
 * ({@link Python} refuses to run without it; the thread-state functions are called by those that
 * take and give back the GIL). Pointers never leave this package.
 *
 * <p>Handles marked <em>leaf</em> are linked {@link Linker.Option#critical critical}: they skip the
 * JVM's thread-state transition (half the cost of a downcall), which is only allowed for functions
 * that return at once, never block and never call back into Java. These run no Python code of the
 * app's as this package uses them: they only make, fill or read built-in objects. The functions
 * that allocate a container object are leaves from 3.12 on, where allocation merely schedules the
 * cyclic garbage collector (which runs finalizers: any Python code) instead of running it inline.
 */
public final class LibPython {
    private static final Linker LINKER = Linker.nativeLinker();
    /** A returned {@code char*} or object pointer, readable without a separate reinterpret. */
    static final AddressLayout POINTER = ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, JAVA_BYTE));
    /** {@code Py_file_input} from Python.h: compile a whole module. */
    static final int PY_FILE_INPUT = 257;

    final Path path;
    final String version;
    final int minor;
    private final SymbolLookup symbols;

    // Lifecycle, GIL and thread states.
    final MethodHandle Py_IsInitialized;
    final MethodHandle PyEval_SaveThread;
    final MethodHandle PyEval_RestoreThread;
    final MethodHandle PyGILState_Ensure;
    final MethodHandle PyGILState_Release;
    final MethodHandle PyThreadState_New;
    final MethodHandle PyThreadState_Swap;
    final MethodHandle PyThreadState_Clear;
    final MethodHandle PyThreadState_Delete;
    final MethodHandle PyThreadState_DeleteCurrent;
    final MethodHandle PyThreadState_GetInterpreter;
    final MethodHandle Py_NewInterpreter;
    final MethodHandle PyThreadState_Get;
    final MethodHandle PyInterpreterState_ThreadHead;
    final MethodHandle PyThreadState_Next;
    final MethodHandle Py_EndInterpreter;
    final MethodHandle PyInterpreterState_Main;
    final MethodHandle PyGILState_GetThisThreadState;

    // Reference counts and errors.
    final MethodHandle Py_IncRef;
    final MethodHandle Py_DecRef;
    final MethodHandle PyErr_Occurred;
    final MethodHandle PyErr_Fetch;
    final MethodHandle PyErr_NormalizeException;
    final MethodHandle PyErr_Clear;
    final MethodHandle PyException_SetTraceback;
    final MethodHandle PyErr_GivenExceptionMatches;
    /** Leaf. */
    final MethodHandle Py_IncRefLeaf;

    // Objects. The *FromStringAndSize handles are critical: they read a Java byte[] in place.
    final MethodHandle PyUnicode_FromStringAndSize;
    final MethodHandle PyUnicode_AsUTF8AndSize;
    final MethodHandle PyBytes_FromStringAndSize;
    final MethodHandle PyBytes_AsString;
    final MethodHandle PyBytes_Size;
    final MethodHandle PyByteArray_AsString;
    final MethodHandle PyByteArray_Size;
    final MethodHandle PyLong_FromLongLong;
    final MethodHandle PyLong_AsLongLong;
    final MethodHandle PyFloat_FromDouble;
    final MethodHandle PyFloat_AsDouble;
    final MethodHandle PyBool_FromLong;
    final MethodHandle PyList_New;
    final MethodHandle PyList_SetItem;
    final MethodHandle PyList_GetItem;
    final MethodHandle PyList_Size;
    final MethodHandle PyTuple_New;
    final MethodHandle PyTuple_SetItem;
    final MethodHandle PyTuple_GetItem;
    final MethodHandle PyTuple_Size;
    final MethodHandle PyDict_New;
    final MethodHandle PyDict_SetItem;
    /** Leaf: only for a key that is an exact {@code str} (its hash and equality run no Python code). */
    final MethodHandle PyDict_SetItemStrKey;
    final MethodHandle PyDict_Next;
    final MethodHandle PyObject_Call;
    final MethodHandle PyObject_IsInstance;
    final MethodHandle PyObject_Str;
    final MethodHandle PyObject_Size;
    final MethodHandle PyThreadState_SetAsyncExc;
    final MethodHandle PyObject_GetAttrString;
    final MethodHandle PyImport_ImportModule;
    final MethodHandle PyImport_ExecCodeModule;
    final MethodHandle Py_CompileString;
    final MethodHandle PyObject_Repr;
    final MethodHandle PyBytes_FromObject;
    /** Leaf: {@code issubclass} for types, walking the MRO without Python code. */
    final MethodHandle PyType_IsSubtype;

    // Type objects and singletons, compared by address on the hot path.
    final MemorySegment noneObject;
    final MemorySegment trueObject;
    final MemorySegment falseObject;
    final MemorySegment unicodeType;
    final MemorySegment bytesType;
    final MemorySegment byteArrayType;
    final MemorySegment longType;
    final MemorySegment floatType;
    final MemorySegment boolType;
    final MemorySegment listType;
    final MemorySegment tupleType;
    final MemorySegment dictType;
    final MemorySegment memoryViewType;
    final MemorySegment timeoutError;
    /** The types {@link Python#toJava} converts, bool before its base int. */
    final List<MemorySegment> convertibleTypes;

    /** The version, such as {@code 3.14.3}. */
    public String version() {
        return version;
    }

    /** The minor version: 14 for 3.14. */
    public int minor() {
        return minor;
    }

    private LibPython(Path path, SymbolLookup symbols) {
        this.path = path;
        this.symbols = symbols;
        try {
            var version = (MemorySegment) function("Py_GetVersion", FunctionDescriptor.of(POINTER)).invokeExact();
            String full = version.getString(0);
            if (full.contains("free-threading")) {
                throw new IllegalArgumentException(path + " is a free-threaded Python (" + full
                        + "); httpy needs a build with the GIL: use libpython3.X.so, not libpython3.Xt.so");
            }
            this.version = full.split(" ", 2)[0];
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Py_GetVersion failed in " + path, e);
        }
        this.minor = minorOf(version, path);

        Py_IsInitialized = function("Py_IsInitialized", FunctionDescriptor.of(JAVA_INT));
        PyEval_SaveThread = function("PyEval_SaveThread", FunctionDescriptor.of(ADDRESS));
        PyEval_RestoreThread = function("PyEval_RestoreThread", FunctionDescriptor.ofVoid(ADDRESS));
        PyGILState_Ensure = function("PyGILState_Ensure", FunctionDescriptor.of(JAVA_INT));
        PyGILState_Release = function("PyGILState_Release", FunctionDescriptor.ofVoid(JAVA_INT));
        PyThreadState_New = function("PyThreadState_New", FunctionDescriptor.of(ADDRESS, ADDRESS));
        PyThreadState_Swap = function("PyThreadState_Swap", FunctionDescriptor.of(ADDRESS, ADDRESS));
        PyThreadState_Clear = function("PyThreadState_Clear", FunctionDescriptor.ofVoid(ADDRESS));
        PyThreadState_Delete = function("PyThreadState_Delete", FunctionDescriptor.ofVoid(ADDRESS));
        PyThreadState_DeleteCurrent = function("PyThreadState_DeleteCurrent", FunctionDescriptor.ofVoid());
        PyThreadState_GetInterpreter = function("PyThreadState_GetInterpreter", FunctionDescriptor.of(ADDRESS, ADDRESS));
        Py_NewInterpreter = function("Py_NewInterpreter", FunctionDescriptor.of(ADDRESS));
        PyThreadState_Get = function("PyThreadState_Get", FunctionDescriptor.of(ADDRESS));
        PyInterpreterState_ThreadHead = function("PyInterpreterState_ThreadHead", FunctionDescriptor.of(ADDRESS, ADDRESS));
        PyThreadState_Next = function("PyThreadState_Next", FunctionDescriptor.of(ADDRESS, ADDRESS));
        Py_EndInterpreter = function("Py_EndInterpreter", FunctionDescriptor.ofVoid(ADDRESS));
        PyInterpreterState_Main = function("PyInterpreterState_Main", FunctionDescriptor.of(ADDRESS));
        PyGILState_GetThisThreadState = function("PyGILState_GetThisThreadState", FunctionDescriptor.of(ADDRESS));

        Py_IncRef = function("Py_IncRef", FunctionDescriptor.ofVoid(ADDRESS));
        Py_DecRef = function("Py_DecRef", FunctionDescriptor.ofVoid(ADDRESS));
        PyErr_Occurred = function("PyErr_Occurred", FunctionDescriptor.of(ADDRESS));
        PyErr_Fetch = function("PyErr_Fetch", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        PyErr_NormalizeException = function("PyErr_NormalizeException", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
        PyErr_Clear = function("PyErr_Clear", FunctionDescriptor.ofVoid());
        PyException_SetTraceback = function("PyException_SetTraceback", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        PyErr_GivenExceptionMatches = function("PyErr_GivenExceptionMatches", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

        // The *FromStringAndSize handles read a Java byte[] in place (critical with heap access).
        var heap = Linker.Option.critical(true);
        var leaf = Linker.Option.critical(false);
        var allocating = minor >= 12 ? new Linker.Option[] {leaf} : new Linker.Option[0];
        Py_IncRefLeaf = function("Py_IncRef", FunctionDescriptor.ofVoid(ADDRESS), leaf);
        PyUnicode_FromStringAndSize = function("PyUnicode_FromStringAndSize", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG), heap);
        // Allocating: a lone surrogate makes it raise UnicodeEncodeError, a new GC-tracked object.
        PyUnicode_AsUTF8AndSize = function("PyUnicode_AsUTF8AndSize", FunctionDescriptor.of(POINTER, ADDRESS, ADDRESS), allocating);
        PyBytes_FromStringAndSize = function("PyBytes_FromStringAndSize", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG), heap);
        PyBytes_AsString = function("PyBytes_AsString", FunctionDescriptor.of(POINTER, ADDRESS), leaf);
        PyBytes_Size = function("PyBytes_Size", FunctionDescriptor.of(JAVA_LONG, ADDRESS), leaf);
        PyByteArray_AsString = function("PyByteArray_AsString", FunctionDescriptor.of(POINTER, ADDRESS), leaf);
        PyByteArray_Size = function("PyByteArray_Size", FunctionDescriptor.of(JAVA_LONG, ADDRESS), leaf);
        PyLong_FromLongLong = function("PyLong_FromLongLong", FunctionDescriptor.of(ADDRESS, JAVA_LONG), leaf);
        // Only ever given an int (or a subclass), which it reads without calling __index__.
        PyLong_AsLongLong = function("PyLong_AsLongLong", FunctionDescriptor.of(JAVA_LONG, ADDRESS), leaf);
        PyFloat_FromDouble = function("PyFloat_FromDouble", FunctionDescriptor.of(ADDRESS, JAVA_DOUBLE), leaf);
        PyFloat_AsDouble = function("PyFloat_AsDouble", FunctionDescriptor.of(JAVA_DOUBLE, ADDRESS), leaf);
        PyBool_FromLong = function("PyBool_FromLong", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        PyList_New = function("PyList_New", FunctionDescriptor.of(ADDRESS, JAVA_LONG), allocating);
        // Set only on new lists and tuples: there is no old item whose release could run Python code.
        PyList_SetItem = function("PyList_SetItem", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), leaf);
        PyList_GetItem = function("PyList_GetItem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG), leaf);
        PyList_Size = function("PyList_Size", FunctionDescriptor.of(JAVA_LONG, ADDRESS), leaf);
        PyTuple_New = function("PyTuple_New", FunctionDescriptor.of(ADDRESS, JAVA_LONG), allocating);
        PyTuple_SetItem = function("PyTuple_SetItem", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS), leaf);
        PyTuple_GetItem = function("PyTuple_GetItem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG), leaf);
        PyTuple_Size = function("PyTuple_Size", FunctionDescriptor.of(JAVA_LONG, ADDRESS), leaf);
        PyDict_New = function("PyDict_New", FunctionDescriptor.of(ADDRESS), allocating);
        PyDict_SetItem = function("PyDict_SetItem", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        PyDict_SetItemStrKey = function("PyDict_SetItem", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), leaf);
        PyDict_Next = function("PyDict_Next", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS), leaf);
        PyObject_Call = function("PyObject_Call", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        PyObject_IsInstance = function("PyObject_IsInstance", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        PyObject_Str = function("PyObject_Str", FunctionDescriptor.of(ADDRESS, ADDRESS));
        PyObject_Size = function("PyObject_Size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        PyThreadState_SetAsyncExc = function("PyThreadState_SetAsyncExc", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
        PyObject_GetAttrString = function("PyObject_GetAttrString", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        PyImport_ImportModule = function("PyImport_ImportModule", FunctionDescriptor.of(ADDRESS, ADDRESS));
        PyImport_ExecCodeModule = function("PyImport_ExecCodeModule", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        Py_CompileString = function("Py_CompileString", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_INT));
        PyObject_Repr = function("PyObject_Repr", FunctionDescriptor.of(ADDRESS, ADDRESS));
        PyBytes_FromObject = function("PyBytes_FromObject", FunctionDescriptor.of(ADDRESS, ADDRESS));
        PyType_IsSubtype = function("PyType_IsSubtype", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), leaf);

        noneObject = symbol("_Py_NoneStruct");
        trueObject = symbol("_Py_TrueStruct");
        falseObject = symbol("_Py_FalseStruct");
        unicodeType = symbol("PyUnicode_Type");
        bytesType = symbol("PyBytes_Type");
        byteArrayType = symbol("PyByteArray_Type");
        longType = symbol("PyLong_Type");
        floatType = symbol("PyFloat_Type");
        boolType = symbol("PyBool_Type");
        listType = symbol("PyList_Type");
        tupleType = symbol("PyTuple_Type");
        dictType = symbol("PyDict_Type");
        memoryViewType = symbol("PyMemoryView_Type");
        convertibleTypes = List.of(unicodeType, bytesType, boolType, longType, floatType, tupleType, listType,
                dictType, byteArrayType);
        // PyExc_* are pointer variables: the exception type is the pointer stored at the symbol.
        timeoutError = symbol("PyExc_TimeoutError").reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
    }

    /** The object's type: {@code ob_type} follows the 8-byte reference count in every GIL build 3.10-3.14. */
    static MemorySegment typeOf(MemorySegment object) {
        return object.reinterpret(16).get(ADDRESS, 8);
    }

    /** {@code isinstance(object, type)} for a built-in type, without running the object's Python code. */
    boolean isInstance(MemorySegment object, MemorySegment type) {
        MemorySegment actual = typeOf(object);
        try {
            return actual.equals(type) || (int) PyType_IsSubtype.invokeExact(actual, type) != 0;
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    MemorySegment incRef(MemorySegment object) {
        try {
            Py_IncRefLeaf.invokeExact(object);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
        return object;
    }

    /** Drops a reference (NULL is ignored); may run finalizers, so never a leaf. */
    void decRef(MemorySegment object) {
        if (object.equals(MemorySegment.NULL)) {
            return;
        }
        try {
            Py_DecRef.invokeExact(object);
        } catch (Throwable e) {
            throw PythonErrors.nativeFailure(e);
        }
    }

    /**
     * Loads libpython with RTLD_GLOBAL, so that C extension modules (ssl, sqlite3, numpy) find the
     * interpreter's symbols; a second load of the same file returns the same, possibly initialised,
     * library.
     */
    static LibPython load(Path library) {
        MethodHandle dlsym = Libc.function("dlsym", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        MemorySegment handle = Libc.dlopen(library, Libc.RTLD_NOW | Libc.RTLD_GLOBAL);
        SymbolLookup lookup = name -> {
            try (var arena = Arena.ofConfined()) {
                var address = (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom(name));
                return address.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(address);
            } catch (Throwable e) {
                throw new IllegalStateException("dlsym " + name, e);
            }
        };
        return new LibPython(library, lookup);
    }

    /** A C function of libpython that only some versions have; empty when this one lacks it. */
    Optional<MethodHandle> optionalFunction(String name, FunctionDescriptor descriptor) {
        return symbols.find(name).map(address -> LINKER.downcallHandle(address, descriptor));
    }

    MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    MemorySegment symbol(String name) {
        return symbols.find(name).orElseThrow(() -> new IllegalArgumentException(
                path + " (Python " + version + ") has no symbol " + name + "; httpy needs CPython 3.10 to 3.14"
                        + " built with the GIL (not a free-threaded 't' build)"));
    }

    private static int minorOf(String version, Path path) {
        String[] parts = version.split("\\.");
        if (parts.length < 2 || !parts[0].equals("3")) {
            throw new IllegalArgumentException(path + " is Python " + version + "; httpy needs CPython 3.10 to 3.14");
        }
        int minor = Integer.parseInt(parts[1].replaceAll("\\D.*", ""));
        if (minor < 10) {
            throw new IllegalArgumentException(path + " is Python " + version + "; httpy needs CPython 3.10 to 3.14");
        }
        return minor;
    }
}
