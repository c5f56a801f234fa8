package dev.httpy.dispatch;

import dev.httpy.python.Python;

/**
 * One trip into Python for a request. It runs on a worker with the GIL held and returns the work
 * to do once the GIL is released (writing the answer through the {@link Exchange}), so that the
 * worker holds the GIL only while Python runs.
 */
@FunctionalInterface
public interface PythonCall {

    /** @return work to run after the GIL is released, or null */
    Runnable run(Python py, Exchange exchange);

    /** The call will never run (refused, timed out in the queue, shut down): free what it holds. */
    default void discard() {
    }

    /** The worker whose interpreter this call must run in (python.gil=per-worker), or null for any. */
    default Python pinnedTo() {
        return null;
    }

    /**
     * A call that frees what it holds with {@code onDiscard} when it never runs, and that must run
     * in {@code pinnedTo}'s interpreter (or null: any worker's).
     */
    record Parts(PythonCall call, Runnable onDiscard, Python pinnedTo) implements PythonCall {
        @Override
        public Runnable run(Python py, Exchange exchange) {
            return call.run(py, exchange);
        }

        @Override
        public void discard() {
            onDiscard.run();
        }
    }
}
