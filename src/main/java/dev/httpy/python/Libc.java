package dev.httpy.python;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** Functions of the C library the JVM has loaded already (glibc), as downcall handles. */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();

    private Libc() {
    }

    static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.defaultLookup().find(name).map(address -> LINKER.downcallHandle(address, descriptor, options))
                .orElseThrow(() -> new IllegalStateException("the C library has no function " + name));
    }

    /** A function only some C libraries have (glibc's malloc_trim); empty where this one lacks it. */
    static Optional<MethodHandle> optionalFunction(String name, FunctionDescriptor descriptor) {
        return LINKER.defaultLookup().find(name).map(address -> LINKER.downcallHandle(address, descriptor));
    }
}
