package dev.httpy.python;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one platform thread that starts, serves and closes one web app's Python: made when the app
 * starts and ended when it stops, so a deployment's set-up work does not pay for a new thread
 * (and a new Python thread state) per step. Between tasks it runs an idle action now and then.
 */
final class OwnerThread {
    private static final System.Logger LOG = System.getLogger(OwnerThread.class.getName());

    /** Work that may call native code and throw anything. */
    interface NativeWork<T> {
        T run() throws Throwable;
    }

    private final Thread thread;
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final long idleMillis;
    private volatile Runnable idle = () -> { };
    private volatile boolean stopped;

    OwnerThread(String name, long idleMillis) {
        this.idleMillis = idleMillis;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::serve);
    }

    /** What to do when no task came for the idle period; runs on this thread. */
    void onIdle(Runnable action) {
        this.idle = action;
    }

    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code work} on this thread and waits for its result; runs it at once when called from this thread. */
    <T> T call(NativeWork<T> work) {
        if (isCurrent()) {
            return unchecked(work);
        }
        if (stopped) {
            throw new IllegalStateException("the Python owner thread " + thread.getName() + " has stopped");
        }
        var result = new CompletableFuture<T>();
        tasks.add(() -> {
            try {
                result.complete(work.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Python", e);
        }
    }

    /**
     * Runs {@code last} on this thread, then ends it and waits until it is gone: a web app that stops
     * checks right after for threads it leaves behind (Tomcat warns of a leak for one still exiting).
     */
    void stop(NativeWork<Void> last) {
        try {
            call(last);
        } finally {
            stopped = true;
            tasks.add(() -> { });
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void serve() {
        while (!stopped) {
            Runnable task;
            try {
                task = tasks.poll(idleMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // only stop() ends this thread
            }
            try {
                (task != null ? task : idle).run();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, thread.getName() + ": idle work failed", e);
            }
        }
    }

    private static <T> T unchecked(NativeWork<T> work) {
        try {
            return work.run();
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        switch (e) {
            case RuntimeException r -> throw r;
            case Error err -> throw err;
            default -> throw new IllegalStateException(e);
        }
    }
}
