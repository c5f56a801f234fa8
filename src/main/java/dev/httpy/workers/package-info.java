/**
 * The worker pool: platform threads that each keep a {@link dev.httpy.python.PythonThread} and
 * run {@link dev.httpy.workers.PythonTask}s from one bounded queue ({@link dev.httpy.workers.TaskQueue}),
 * in batches per GIL acquisition; turn-taking while tasks are long ({@link dev.httpy.workers.TurnTaking}),
 * growth while every worker is stuck ({@link dev.httpy.workers.Growth}), and a
 * {@link dev.httpy.workers.Watchdog} that raises {@code TimeoutError} in a task that overran.
 * Scheduling only: the native work is the bridge's.
 */
package dev.httpy.workers;
