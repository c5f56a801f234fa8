package dev.httpy.os;

import java.io.IOException;
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

    private static final int O_CLOEXEC = 0x80000;
    private static final int O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_SETPIPE_SZ = 1031;
    private static final MethodHandle PIPE2 = function("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCNTL = function("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));

    private Libc() {
    }

    /**
     * A new pipe, both ends close-on-exec and the write end non-blocking (a writer never waits):
     * {read end, write end}. {@code capacity} above 0 asks Linux for a pipe of that many bytes, best
     * effort (the unprivileged ceiling is usually 1 MiB).
     */
    static int[] nonBlockingPipe(int capacity) throws IOException {
        try (var arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE2.invokeExact(fds, O_CLOEXEC) != 0) {
                throw new IOException("pipe2 failed: too many open files?");
            }
            int writeFd = fds.getAtIndex(JAVA_INT, 1);
            int flags = (int) FCNTL.invokeExact(writeFd, F_GETFL, 0);
            int unused = (int) FCNTL.invokeExact(writeFd, F_SETFL, flags | O_NONBLOCK);
            if (capacity > 0) {
                unused = (int) FCNTL.invokeExact(writeFd, F_SETPIPE_SZ, capacity);
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), writeFd};
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("pipe2", e);
        }
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
