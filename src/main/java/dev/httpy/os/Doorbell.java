package dev.httpy.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * How Python rings Java without calling into it: an OS pipe whose write end Python holds
 * ({@code os.write(fd, b"!")}, non-blocking, so a full pipe simply means "rung already") and whose
 * read end one Java platform thread waits on, calling {@code ring} after each wake. One thread per
 * doorbell, whatever Python has to say.
 */
public final class Doorbell implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Doorbell.class.getName());
    private static final MethodHandle READ = Libc.function("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Libc.function("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int readFd;
    private final int writeFd;
    private volatile Runnable ring;
    private final Thread thread;
    private volatile boolean closed;

    private Doorbell(int readFd, int writeFd, String name, Runnable ring) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.ring = ring;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** A new doorbell whose thread, named {@code name}, runs {@code ring} each time Python rings. */
    public static Doorbell open(String name, Runnable ring) throws IOException {
        int[] fds = Libc.nonBlockingPipe(0);
        return new Doorbell(fds[0], fds[1], name, ring);
    }

    /** From now on each ring runs {@code ring} instead. */
    public void onRing(Runnable ring) {
        this.ring = ring;
    }

    /** The write end, for Python's {@code os.write}; it stays Java's to close. */
    public int writeFd() {
        return writeFd;
    }

    private void run() {
        try (var arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            while (!closed) {
                long n = (long) READ.invokeExact(readFd, buffer, 256L);
                if (closed || n == 0) {
                    return;
                }
                if (n > 0) {
                    try {
                        ring.run();
                    } catch (RuntimeException | Error e) {
                        LOG.log(System.Logger.Level.ERROR, "a doorbell's callback failed", e);
                    }
                }
            }
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "the doorbell thread stopped", e);
        }
    }

    /** Stops the thread (waking it with one last ring) and closes both ends. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (var arena = Arena.ofConfined()) {
            long unused = (long) WRITE.invokeExact(writeFd, arena.allocateFrom(JAVA_BYTE, (byte) 0), 1L);
            thread.join(2_000);
            int closedRead = (int) CLOSE.invokeExact(readFd);
            int closedWrite = (int) CLOSE.invokeExact(writeFd);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            throw new IllegalStateException("closing a doorbell", e);
        }
    }
}
