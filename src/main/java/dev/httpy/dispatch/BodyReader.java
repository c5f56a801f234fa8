package dev.httpy.dispatch;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;

import dev.httpy.os.BodyPipe;
import dev.httpy.os.PipePoller;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;

/**
 * Reads a request body without ever waiting for the client: the container calls
 * {@link #onDataAvailable} when bytes have arrived, and this reads what is there and returns.
 *
 * <p>For a request function the body is {@linkplain #collect collected} up to
 * {@code python.max-body} and handed on whole. For a WSGI or ASGI app it is {@linkplain #pipe piped}
 * into {@code wsgi.input} or {@code receive()} as it arrives; when the app reads slower than the
 * client sends, reading stops (the client is held back by TCP) until the pipe has room again.
 *
 * <p>Every read refreshes the exchange's body deadline; a client that sends nothing for
 * {@code python.body-timeout} gets 408 from the sweeper ({@link Deadlines}).
 */
final class BodyReader implements ReadListener {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final int READ_BYTES = 16 * 1024;

    private final Exchange exchange;
    private final ServletInputStream in;
    private final long maxBody;
    // Collecting:
    private final Consumer<byte[]> whole;
    private byte[] collected;
    // Piping:
    private final BodyPipe pipe;
    private final PipePoller poller;
    private final byte[] buffer;
    /** Bytes read from the client that the pipe has not taken yet: buffer[pendingOffset, pendingEnd). */
    private int pendingOffset;
    private int pendingEnd;

    private long total;
    private boolean allRead;
    private boolean done;

    private BodyReader(Exchange exchange, ServletInputStream in, long maxBody, Consumer<byte[]> whole,
                       long declaredLength, BodyPipe pipe, PipePoller poller) {
        this.exchange = exchange;
        this.in = in;
        this.maxBody = maxBody;
        this.whole = whole;
        this.pipe = pipe;
        this.poller = poller;
        this.collected = pipe == null ? new byte[(int) Math.min(declaredLength >= 0 ? declaredLength : Math.min(maxBody, READ_BYTES), Integer.MAX_VALUE - 8)] : null;
        this.buffer = new byte[READ_BYTES];
    }

    /** Collects the body and passes it to {@code whole} once complete (on a container thread). */
    static void collect(Exchange exchange, ServletInputStream in, long declaredLength, long maxBody, Consumer<byte[]> whole) {
        var reader = new BodyReader(exchange, in, maxBody, whole, declaredLength, null, null);
        exchange.body = reader;
        exchange.bodyWaitSince = System.nanoTime() | 1;
        in.setReadListener(reader);
    }

    /** Pipes the body into {@code pipe}, closing its write end at the end of the body. */
    static BodyReader pipe(Exchange exchange, ServletInputStream in, long maxBody, BodyPipe pipe, PipePoller poller) {
        var reader = new BodyReader(exchange, in, maxBody, null, -1, pipe, poller);
        exchange.body = reader;
        exchange.bodyWaitSince = System.nanoTime() | 1;
        in.setReadListener(reader);
        return reader;
    }

    @Override
    public void onDataAvailable() {
        pump();
    }

    @Override
    public void onAllDataRead() {
        synchronized (this) {
            allRead = true;
        }
        pump();
    }

    @Override
    public void onError(Throwable t) {
        stop();
        exchange.drop(System.Logger.Level.DEBUG, "reading the request body failed: " + t);
    }

    /** Reads what has arrived; returns when the client has sent no more yet, or the pipe is full. */
    private void pump() {
        byte[] complete = null;
        synchronized (this) {
            if (done) {
                return;
            }
            try {
                while (true) {
                    if (pipe != null && pendingOffset < pendingEnd && !drainPending()) {
                        return; // the pipe is full: the poller resumes us
                    }
                    if (allRead || in.isFinished()) {
                        complete = finish();
                        break;
                    }
                    if (!in.isReady()) {
                        if (exchange.bodyWaitSince == 0) {
                            exchange.bodyWaitSince = System.nanoTime() | 1;
                        }
                        return; // the container calls onDataAvailable when more arrives
                    }
                    int n = in.read(buffer);
                    if (n < 0) {
                        complete = finish();
                        break;
                    }
                    exchange.bodyWaitSince = System.nanoTime() | 1;
                    total += n;
                    if (total > maxBody) {
                        tooLarge();
                        return;
                    }
                    if (pipe == null) {
                        append(n);
                    } else {
                        pendingOffset = 0;
                        pendingEnd = n;
                    }
                }
            } catch (IOException | IllegalStateException e) {
                stop();
                exchange.drop(System.Logger.Level.DEBUG, "reading the request body failed: " + e);
                return;
            }
        }
        if (complete != null) {
            whole.accept(complete);
        }
    }

    /** Writes the pending bytes into the pipe; false when it is full (and a resume is arranged). */
    private boolean drainPending() {
        while (pendingOffset < pendingEnd) {
            int w = pipe.write(buffer, pendingOffset, pendingEnd - pendingOffset);
            if (w == BodyPipe.READER_GONE) {
                // The app closed wsgi.input without reading it all: the rest is not wanted.
                stop();
                return false;
            }
            if (w == 0) {
                // Waiting for the app, not the client: that is no body stall.
                exchange.bodyWaitSince = 0;
                poller.whenWritable(pipe, this::resume);
                return false;
            }
            pendingOffset += w;
        }
        return true;
    }

    private void resume() {
        synchronized (this) {
            if (done) {
                return;
            }
            exchange.bodyWaitSince = System.nanoTime() | 1;
        }
        pump();
    }

    private void append(int n) {
        if (total > collected.length) {
            collected = Arrays.copyOf(collected, (int) Math.min(maxBody, Math.max(total, 2L * collected.length)));
        }
        System.arraycopy(buffer, 0, collected, (int) (total - n), n);
    }

    /** The body has all arrived: the collected bytes, or null when piping (the pipe is closed). */
    private byte[] finish() {
        done = true;
        exchange.bodyWaitSince = 0;
        if (pipe != null) {
            pipe.closeWriteEnd();
            return null;
        }
        return collected.length == total ? collected : Arrays.copyOf(collected, (int) total);
    }

    private void tooLarge() {
        if (pipe != null) {
            LOG.log(System.Logger.Level.WARNING, "{0} {1}: the request body exceeds python.max-body ({2} bytes); the"
                    + " WSGI app saw it cut at the limit", exchange.method(), exchange.path(), maxBody);
            stop();
            return;
        }
        stop();
        exchange.answerText(413, HttpyAnswers.tooLarge(maxBody),
                System.Logger.Level.INFO, "the request body exceeds python.max-body (" + maxBody + " bytes)");
    }

    /** Stops reading for good: the body stalled, was too large, or nobody wants the rest. */
    synchronized void stop() {
        if (done && collected == null && pipe == null) {
            return;
        }
        done = true;
        exchange.bodyWaitSince = 0;
        collected = null;
        if (pipe != null) {
            poller.forget(pipe);
            pipe.closeWriteEnd();
        }
    }
}
