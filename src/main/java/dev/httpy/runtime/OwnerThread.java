package dev.httpy.runtime;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.httpy.python.Python;

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

    private record Task<T>(NativeWork<T> work, CompletableFuture<T> result) {
        void run() {
            try {
                result.complete(work.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }

    private final Thread thread;
    private final BlockingQueue<Task<?>> tasks = new LinkedBlockingQueue<>();
    private final long idleMillis;
    private volatile Runnable idle = () -> { };
    /** Set on this thread right after the last task: nothing runs after it. */
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
            try {
                return work.run();
            } catch (Throwable e) {
                throw Waits.unwrapped(e);
            }
        }
        var task = new Task<>(work, new CompletableFuture<T>());
        tasks.add(task);
        if (stopped && tasks.remove(task)) {
            // Came after the last task; the thread may be gone already.
            throw stoppedError();
        }
        return Waits.await(task.result(), "Python");
    }

    /**
     * {@link #call}, waiting at most {@code timeoutNanos}: then the work goes on running here (a
     * native wait cannot be interrupted), and the caller gets a {@link java.util.concurrent.TimeoutException}.
     */
    <T> T call(NativeWork<T> work, long timeoutNanos) throws java.util.concurrent.TimeoutException {
        if (isCurrent()) {
            return call(work);
        }
        var task = new Task<>(work, new CompletableFuture<T>());
        tasks.add(task);
        if (stopped && tasks.remove(task)) {
            throw stoppedError();
        }
        return Waits.await(task.result(), Duration.ofNanos(timeoutNanos), "Python");
    }

    String name() {
        return thread.getName();
    }

    /**
     * Runs {@code last} on this thread, then ends it and waits until it is gone: a web app that stops
     * checks right after for threads it leaves behind (Tomcat warns of a leak for one still exiting).
     */
    void stop(NativeWork<Void> last) {
        if (isCurrent()) {
            throw new IllegalStateException("the web app's Python cannot be closed from its own owner thread");
        }
        try {
            call(() -> {
                try {
                    return last.run();
                } finally {
                    stopped = true;
                }
            });
        } finally {
            stopped = true;
            tasks.add(new Task<>(() -> null, new CompletableFuture<>()));
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void serve() {
        while (!stopped) {
            Task<?> task;
            try {
                task = tasks.poll(idleMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // only stop() ends this thread
            }
            try {
                if (task != null) {
                    task.run();
                } else {
                    idle.run();
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, thread.getName() + ": idle work failed", e);
            }
        }
        // Whatever came after the last task must not run: the app's Python is gone.
        for (Task<?> late; (late = tasks.poll()) != null; ) {
            late.result().completeExceptionally(stoppedError());
        }
    }

    private IllegalStateException stoppedError() {
        return new IllegalStateException("the Python runtime of this web app is closed (its owner thread "
                + thread.getName() + " has stopped)");
    }
}
