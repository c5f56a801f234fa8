package dev.httpy.workers;

import dev.httpy.python.Python;

/**
 * Work for a {@link PythonWorkers} thread.
 *
 * <p>{@link #runWithGil} runs while the worker holds the GIL and should only call Python and copy
 * the result into Java objects; what it returns runs after the GIL is released, where slow work
 * such as writing to a client belongs. For every task the queue accepted, {@code runWithGil} is
 * called once, or {@link #abandon} when it never will be (its workers stopped first); both are
 * called when {@code runWithGil} threw (a failure outside Python), so that the task still answers.
 */
public interface PythonTask {

    /** Calls Python; returns the work to do once the GIL is released, or {@code null}. */
    Runnable runWithGil(Python py);

    /** The task will never run: its workers stopped first. */
    void abandon();
}
