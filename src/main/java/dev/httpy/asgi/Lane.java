package dev.httpy.asgi;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Delivers a driven event loop's messages to the clients in the order its trips took them, on a
 * platform thread of its own, while the worker goes on with the loop's next trip: Python and the
 * writing of answers then run side by side on two cores instead of taking turns on one. Ordered
 * per loop: a response's start always goes out before its body, whichever trip made them.
 */
final class Lane {
    private static final System.Logger LOG = System.getLogger(Lane.class.getName());
    private static final List<?> STOP = List.of();

    private final LinkedBlockingQueue<List<?>> batches = new LinkedBlockingQueue<>();
    private final Consumer<List<?>> deliver;
    private final Thread thread;

    Lane(String name, Consumer<List<?>> deliver) {
        this.deliver = deliver;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Queues one trip's messages, to go out after every batch queued before. */
    void add(List<?> messages) {
        if (!messages.isEmpty()) {
            batches.add(messages);
        }
    }

    private void run() {
        try {
            while (true) {
                List<?> batch = batches.take();
                if (batch == STOP) {
                    return;
                }
                try {
                    deliver.accept(batch);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, thread.getName() + ": delivering failed", e);
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Delivers what is queued, then ends the thread; waits for it at most {@code millis}. */
    void close(long millis) {
        batches.add(STOP);
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
