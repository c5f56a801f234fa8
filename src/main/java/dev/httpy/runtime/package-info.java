/**
 * One web app's Python runtime: {@link dev.httpy.runtime.PythonRuntime} starts CPython (or joins
 * it), chooses the app's interpreter ({@code python.interpreter}), readies it, runs start-up work
 * under {@code python.start-timeout} on the app's owner thread ({@link dev.httpy.runtime.OwnerThread}),
 * lets container threads run Python themselves ({@link dev.httpy.runtime.CallerThreads}), and on
 * close stops what runs there ({@link dev.httpy.runtime.PythonThreads}, such as worker pools) before it
 * ends the interpreter. Lifecycle and policy only: the native work is the bridge's.
 */
package dev.httpy.runtime;
