package dev.httpy.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Functions of the C library the JVM has loaded already (glibc), as downcall handles: the one
 * place below the bridge ({@code dev.httpy.python}) and the packages' loader that calls the OS.
 */
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    public static final int RTLD_NOW = 0x2;
    public static final int RTLD_GLOBAL = 0x100;
    private static final int RTLD_NOLOAD = 0x4;
    private static final MethodHandle DLOPEN = function("dlopen", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle DLERROR = function("dlerror", FunctionDescriptor.of(ADDRESS.withTargetLayout(java.lang.foreign.MemoryLayout.sequenceLayout(Long.MAX_VALUE, java.lang.foreign.ValueLayout.JAVA_BYTE))));

    private Libc() {
    }

    public static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.defaultLookup().find(name).map(address -> LINKER.downcallHandle(address, descriptor, options))
                .orElseThrow(() -> new IllegalStateException("the C library has no function " + name));
    }

    /** A function only some C libraries have (glibc's malloc_trim); empty where this one lacks it. */
    public static Optional<MethodHandle> optionalFunction(String name, FunctionDescriptor descriptor) {
        return LINKER.defaultLookup().find(name).map(address -> LINKER.downcallHandle(address, descriptor));
    }

    /**
     * Loads a shared library for the life of the process and returns its handle; a second load of
     * the same file returns the same handle.
     *
     * @throws IllegalArgumentException with the dynamic linker's reason when it cannot be loaded
     */
    public static MemorySegment dlopen(Path library, int flags) {
        try (var arena = Arena.ofConfined()) {
            var handle = (MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(library.toString()), flags);
            if (handle.equals(MemorySegment.NULL)) {
                var error = (MemorySegment) DLERROR.invokeExact();
                throw new IllegalArgumentException("cannot load " + library + ": "
                        + (error.equals(MemorySegment.NULL) ? "dlopen failed" : error.getString(0)));
            }
            return handle;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("dlopen " + library, e);
        }
    }

    /** Whether the process has loaded a library of this name (its soname), by any path. */
    public static boolean isLoaded(String soname) {
        try (var arena = Arena.ofConfined()) {
            return !((MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(soname), RTLD_NOW | RTLD_NOLOAD))
                    .equals(MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("dlopen " + soname, e);
        }
    }
}
