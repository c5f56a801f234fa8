package dev.httpy.python;

import java.lang.foreign.MemorySegment;

/**
 * An opaque, strong reference to a Python object that Java keeps: a callable found by
 * {@link Python#function(String)}, or a result kept by {@link Python#callForObject}. Use it only
 * in the interpreter it came from, and {@linkplain Python#release release} it when done.
 */
public final class PythonObject {
    final MemorySegment pointer;
    private final String name;

    PythonObject(MemorySegment pointer, String name) {
        this.pointer = pointer;
        this.name = name;
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
