package dev.httpy.runtime;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.httpy.python.Python;

/**
 * Waiting for Python work handed to another thread (a worker, the owner thread): the one way its
 * value, failure, overrun and interruption come back to the caller.
 */
public final class Waits {
    private Waits() {
    }

    /**
     * The value of {@code result}, waiting at most {@code limit} (null: as long as it takes). Its
     * RuntimeException or Error is thrown as it is, another failure inside an IllegalStateException;
     * an interrupt is kept on the thread and thrown as an IllegalStateException naming {@code what}.
     *
     * @throws TimeoutException when {@code limit} passed first; the work may still be running
     */
    public static <T> T await(Future<T> result, Duration limit, String what) throws TimeoutException {
        try {
            return limit == null ? result.get() : result.get(Math.max(0, limit.toNanos()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrapped(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /** {@link #await} without a limit. */
    public static <T> T await(Future<T> result, String what) {
        try {
            return await(result, null, what);
        } catch (TimeoutException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** A failure of work on another thread, as its caller should see it: thrown as it is when unchecked. */
    public static RuntimeException unwrapped(Throwable failure) {
        switch (failure) {
            case RuntimeException r -> throw r;
            case Error e -> throw e;
            default -> throw new IllegalStateException(failure);
        }
    }
}
