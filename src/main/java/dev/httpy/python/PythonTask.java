package dev.httpy.python;

/**
 * Work for a {@link PythonWorkers} thread.
 *
 * <p>{@link #runWithGil} runs while the worker holds the GIL and should only call Python and copy
 * the result into Java objects; what it returns runs after the GIL is released, where slow work
 * such as writing to a client belongs. Exactly one of {@code runWithGil} and {@link #abandon} is
 * called for every task the queue accepted.
 */
public interface PythonTask {

    /** Calls Python; returns the work to do once the GIL is released, or {@code null}. */
    Runnable runWithGil(Python py);

    /** The task will never run: its workers stopped first. */
    void abandon();
}
