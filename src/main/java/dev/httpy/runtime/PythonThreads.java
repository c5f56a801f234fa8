package dev.httpy.runtime;

import dev.httpy.python.Python;

/**
 * Threads that run Python in a runtime's interpreter and are not the runtime's own (a pool of
 * workers): {@link PythonRuntime#adopt adopted}, they are stopped before the interpreter ends.
 */
public interface PythonThreads {
    /** Stops the threads, giving running work the grace its owner chose. Called again, does nothing. */
    void close();

    /**
     * After {@link #close}: whether every thread has ended, and every interpreter they made with
     * it; until then the functions Python may hold must stay.
     */
    boolean allThreadsEnded();
}
