package dev.httpy.workers;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.httpy.python.Python;

/**
 * A {@link PythonTask} for a caller that waits for its answer: {@code work}'s result, or the
 * RuntimeException it threw, completes {@link #result()}; if the workers stop before it runs, an
 * IllegalStateException saying {@code whenAbandoned} does.
 */
public final class ResultTask<T> implements PythonTask {
    private final Function<Python, T> work;
    private final String whenAbandoned;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    public ResultTask(Function<Python, T> work, String whenAbandoned) {
        this.work = work;
        this.whenAbandoned = whenAbandoned;
    }

    public CompletableFuture<T> result() {
        return result;
    }

    @Override
    public Runnable runWithGil(Python py) {
        try {
            result.complete(work.apply(py));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return null;
    }

    @Override
    public void abandon() {
        result.completeExceptionally(new IllegalStateException(whenAbandoned));
    }
}
