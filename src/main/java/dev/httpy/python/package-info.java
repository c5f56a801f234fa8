/**
 * The CPython bridge, in pure Java on the FFM API: loading libpython, interpreters and thread
 * states, the GIL, conversions both ways, errors and tracebacks, calls from Python into exposed
 * Java objects; the per-app runtime (its interpreter, owner thread and container-thread support);
 * and the worker pool that runs Python tasks with turn-taking, growth and a watchdog.
 */
package dev.httpy.python;
