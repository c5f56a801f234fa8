package dev.httpy.python;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An OS pipe that streams a request body from Java into Python: Java copies the servlet input
 * stream into the write end, and Python reads the read end as an ordinary binary file
 * ({@code os.fdopen}), whose blocking reads release the GIL. So a WSGI app reads the body as it
 * arrives, never all of it in memory at once.
 */
public final class BodyPipe {
    private static final int O_CLOEXEC = 0x80000;
    private static final MethodHandle PIPE2 = Libc.function("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITE = Libc.function("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int CHUNK = 64 * 1024;

    private final int readFd;
    private final int writeFd;
    private final java.util.concurrent.atomic.AtomicBoolean readEndOwned = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean writeEndClosed = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.CountDownLatch pumped = new java.util.concurrent.CountDownLatch(1);

    private BodyPipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    public static BodyPipe open() throws IOException {
        try (var arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE2.invokeExact(fds, O_CLOEXEC) != 0) {
                throw new IOException("pipe2 failed: too many open files?");
            }
            return new BodyPipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("pipe2", e);
        }
    }

    /** Hands the read end to Python, which owns it from then on and closes it. */
    public int takeReadFd() {
        if (!readEndOwned.compareAndSet(false, true)) {
            throw new IllegalStateException("the body pipe's read end was taken already");
        }
        return readFd;
    }

    /**
     * Copies {@code in} into the pipe until its end, {@code limit} bytes, or the reader closing
     * its end; then closes the write end, which Python sees as the end of the body.
     *
     * @return the bytes copied, or -1 when {@code in} had more than {@code limit}
     */
    public long pump(InputStream in, long limit) throws IOException {
        long total = 0;
        try (var arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(CHUNK);
            byte[] chunk = new byte[CHUNK];
            for (int n; (n = in.read(chunk)) > 0; ) {
                total += n;
                if (total > limit) {
                    return -1;
                }
                MemorySegment.copy(chunk, 0, buffer, JAVA_BYTE, 0, n);
                for (long written = 0; written < n; ) {
                    long w = (long) WRITE.invokeExact(writeFd, buffer.asSlice(written), (long) n - written);
                    if (w < 0) {
                        return total; // the app closed its end without reading it all
                    }
                    written += w;
                }
            }
            return total;
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("write to the body pipe", e);
        } finally {
            closeWriteEnd();
            pumped.countDown();
        }
    }

    /**
     * Waits until {@link #pump} has stopped (the app read the body, or closed its end and the
     * copy ended), at most {@code limit}: a client that stalls mid-body is not waited for longer.
     */
    public void awaitPumped(java.time.Duration limit) {
        try {
            pumped.await(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes what Python did not take: the request was refused or timed out before it ran. */
    public void discard() {
        if (readEndOwned.compareAndSet(false, true)) {
            close(readFd);
        }
        closeWriteEnd();
        pumped.countDown();
    }

    private void closeWriteEnd() {
        if (writeEndClosed.compareAndSet(false, true)) {
            close(writeFd);
        }
    }

    private static void close(int fd) {
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException("close", e);
        }
    }
}
