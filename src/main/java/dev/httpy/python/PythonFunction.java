package dev.httpy.python;

import java.lang.foreign.MemorySegment;

/**
 * A Python callable found by {@link Python#function(String)}: an opaque, strong reference that
 * lives as long as the web app. Call it with {@link Python#call(PythonFunction, Object...)}.
 */
public final class PythonFunction {
    final MemorySegment pointer;
    private final String name;

    PythonFunction(MemorySegment pointer, String name) {
        this.pointer = pointer;
        this.name = name;
    }

    /** The {@code module:function} it was found by. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
