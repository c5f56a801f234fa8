package dev.httpy.dispatch;

import dev.httpy.python.Python;

/**
 * One request's Python work. It runs on a worker with the GIL held and answers through the
 * {@link Exchange}: either by returning the answer to write once the GIL is released, or by
 * streaming it itself (releasing the GIL around each write).
 */
@FunctionalInterface
public interface PythonCall {

    /** @return work to run after the GIL is released, or null when the call answered itself */
    Runnable run(Python py, Exchange exchange);

    /** The response is about to be completed: let go of the request (its body) first. */
    default void finished() {
    }

    /** The call will never run (refused, timed out in the queue, shut down): free what it holds. */
    default void discard() {
    }
}
