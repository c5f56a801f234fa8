package dev.httpy.python;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Python {@code str} of names seen before (header names, query and parameter keys): a request
 * repeats the same few dozen, and making each afresh costs an encoding and two downcalls.
 *
 * <p>Holds a strong reference to each, at most {@value #CAPACITY} of them, the least recently used
 * dropped first, so that a client sending random names costs a miss, never memory. The objects
 * belong to the interpreter of the {@link Python} that owns this cache, and are released with it.
 */
final class NameCache {
    static final int CAPACITY = 256;
    /** Longer names are made each time: worth caching are the short ones that recur. */
    static final int LONGEST = 64;

    private final LibPython lib;
    private final int capacity;
    private final Map<String, MemorySegment> names;

    NameCache(LibPython lib) {
        this(lib, CAPACITY);
    }

    /** A cache of at most {@code capacity} names; 0 keeps none (for a context that lives one call). */
    NameCache(LibPython lib, int capacity) {
        this.lib = lib;
        this.capacity = capacity;
        this.names = capacity == 0 ? Map.of() : new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, MemorySegment> eldest) {
                if (size() > NameCache.this.capacity) {
                    lib.decRef(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    /** A borrowed reference to the {@code str} for {@code name}, or null when it is not cached. */
    MemorySegment get(String name) {
        return names.get(name);
    }

    /** Keeps {@code str}, a new reference to the text of {@code name}, if the name is worth it. */
    void offer(String name, MemorySegment str) {
        if (capacity > 0 && name.length() <= LONGEST) {
            names.put(name, lib.incRef(str));
        }
    }

    int size() {
        return names.size();
    }

    void release() {
        if (capacity == 0) {
            return;
        }
        names.values().forEach(lib::decRef);
        names.clear();
    }
}
