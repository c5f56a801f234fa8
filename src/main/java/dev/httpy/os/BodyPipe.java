package dev.httpy.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An OS pipe that streams a request body from Java into Python: Java writes what the client sent
 * into the write end, without ever waiting, and Python reads the read end as an ordinary binary
 * file ({@code os.fdopen}), whose blocking reads release the GIL. So a WSGI app reads the body as
 * it arrives, never all of it in memory at once, and no Java thread waits for either side.
 *
 * <p>The write end is non-blocking: {@link #write} takes what fits and returns the count; when the
 * app reads slower than the client sends, the caller stops reading from the client and asks
 * {@link PipePoller} to call it back once the pipe has room again.
 */
public final class BodyPipe {
    /** A bigger pipe than Linux's 64 KiB default means fewer stops for a fast upload; 1 MiB is the usual unprivileged ceiling. */
    private static final int PIPE_BYTES = 1 << 20;
    private static final int EAGAIN = 11;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle WRITE = Libc.function("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** What {@link #write} returns when the reader has closed its end: the rest of the body is not wanted. */
    public static final int READER_GONE = -1;

    private final int readFd;
    private final int writeFd;
    private final AtomicBoolean readEndOwned = new AtomicBoolean();
    private final AtomicBoolean writeEndClosed = new AtomicBoolean();
    /** Native memory the bytes pass through on their way to write(2); freed with the write end. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final MemorySegment callState;

    private BodyPipe(int readFd, int writeFd, int bufferBytes) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.buffer = arena.allocate(bufferBytes);
        this.callState = arena.allocate(CALL_STATE);
    }

    /** A new pipe whose writes copy through a native buffer of {@code bufferBytes} (the most one write takes). */
    public static BodyPipe open(int bufferBytes) throws IOException {
        int[] fds = Libc.nonBlockingPipe(PIPE_BYTES);
        return new BodyPipe(fds[0], fds[1], bufferBytes);
    }

    /** Hands the read end to Python, which owns it from then on and closes it. */
    public int takeReadFd() {
        if (!readEndOwned.compareAndSet(false, true)) {
            throw new IllegalStateException("the body pipe's read end was taken already");
        }
        return readFd;
    }

    /** The write end's descriptor, for {@link PipePoller}. */
    int writeFd() {
        return writeFd;
    }

    /**
     * Writes as much of {@code bytes[offset, offset + length)} as the pipe takes now, never waiting.
     *
     * @return the bytes written (0 when the pipe is full), or {@link #READER_GONE}
     */
    public synchronized int write(byte[] bytes, int offset, int length) {
        if (writeEndClosed.get()) {
            return READER_GONE;
        }
        int n = (int) Math.min(length, buffer.byteSize());
        MemorySegment.copy(bytes, offset, buffer, JAVA_BYTE, 0, n);
        try {
            long written = (long) WRITE.invokeExact(callState, writeFd, buffer, (long) n);
            if (written >= 0) {
                return (int) written;
            }
            return (int) ERRNO.get(callState, 0L) == EAGAIN ? 0 : READER_GONE;
        } catch (Throwable e) {
            throw new IllegalStateException("write to the body pipe", e);
        }
    }

    /** The body is complete (or cut): Python reads end-of-file once it has read what is in the pipe. */
    public void closeWriteEnd() {
        synchronized (this) {
            if (!writeEndClosed.compareAndSet(false, true)) {
                return;
            }
            close(writeFd);
        }
        arena.close();
    }

    /** Closes what Python did not take: the request was refused or timed out before it ran. */
    public void discard() {
        if (readEndOwned.compareAndSet(false, true)) {
            close(readFd);
        }
        closeWriteEnd();
    }

    private static void close(int fd) {
        try {
            int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException("close", e);
        }
    }
}
