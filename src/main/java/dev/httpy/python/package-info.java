/**
 * The CPython bridge, in pure Java on the FFM API, and the one package that calls libpython:
 * loading it, interpreters ({@link dev.httpy.python.AppInterpreter}, {@link dev.httpy.python.Interpreter})
 * and thread states ({@link dev.httpy.python.PythonThread}), the GIL, conversions both ways,
 * errors and tracebacks, and calls from Python into exposed Java objects.
 *
 * <p>Most of it is package-private. Above it, code runs Python through a {@link dev.httpy.python.Python}
 * handed to it and, on threads of its own, a {@code PythonThread}; no class outside holds a
 * pointer into Python or calls libpython.
 */
package dev.httpy.python;
