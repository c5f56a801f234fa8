package dev.httpy.python;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.httpy.workers.PythonTask;
import dev.httpy.workers.PythonWorkers;

/** For tests and benchmarks: running a piece of Python work on a pool's worker, as the filter does. */
public final class WorkerCalls {
    private WorkerCalls() {
    }

    /**
     * Queues {@code work} on a worker holding the GIL; its result (or what it threw) completes the
     * future.
     *
     * @throws IllegalStateException when the pool's queue refuses the task
     */
    public static <T> CompletableFuture<T> submit(PythonWorkers workers, Function<Python, T> work) {
        var result = new CompletableFuture<T>();
        boolean queued = workers.submit(new PythonTask() {
            @Override
            public Runnable runWithGil(Python py) {
                try {
                    result.complete(work.apply(py));
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
                return null;
            }

            @Override
            public void abandon() {
                result.completeExceptionally(new IllegalStateException("the Python workers stopped before it ran"));
            }
        });
        if (!queued) {
            throw new IllegalStateException("the worker queue refused the task");
        }
        return result;
    }
}
