/**
 * The CPython bridge, in pure Java on the FFM API: loading libpython, interpreters and thread
 * states, the GIL, conversions both ways, errors and tracebacks, calls from Python into exposed
 * Java objects, and the per-app runtime that owns an app's interpreter (its owner thread and the
 * thread states of container threads that run Python themselves).
 *
 * <p>Everything that touches libpython is here, most of it package-private. Above it, code runs
 * Python through {@link dev.httpy.python.PythonRuntime}, a {@link dev.httpy.python.Python} handed
 * to it, and, for threads of its own, a {@link dev.httpy.python.PythonThread} in an
 * {@link dev.httpy.python.Interpreter}; no class outside holds a pointer into Python or calls
 * libpython.
 */
package dev.httpy.python;
