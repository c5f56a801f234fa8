package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An opaque, strong reference to a Python object that Java keeps: a callable found by
 * {@link Python#function(String)}, or a result kept by {@link Python#callForObject}. Use it only
 * in the interpreter it came from, and {@linkplain Python#release release} it when done.
 *
 * <p>A reference is released at most once: a second release does nothing, and using it after its
 * release is an {@link IllegalStateException} rather than a read of freed memory (which would take
 * the JVM down). The class keeping it still owes exactly one release; this is the net under it.
 */
public final class PythonObject {
    private final AtomicReference<MemorySegment> pointer;
    private final String name;

    PythonObject(MemorySegment pointer, String name) {
        this.pointer = new AtomicReference<>(pointer);
        this.name = name;
    }

    /** The object's address while the reference is held. */
    MemorySegment pointer() {
        MemorySegment p = pointer.get();
        if (p == null) {
            throw new IllegalStateException("Python object " + name + " used after it was released");
        }
        return p;
    }

    /** Gives up the reference: its address the first time, null after that. */
    MemorySegment take() {
        return pointer.getAndSet(null);
    }

    /** What it is: the {@code module:function} it was found by, or the function that made it. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
