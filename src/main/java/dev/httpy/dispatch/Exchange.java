package dev.httpy.dispatch;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.httpy.python.PythonResponse;
import dev.httpy.tracing.Tracing;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One request on the asynchronous (or blocking) path, from its body to its last byte out, and the
 * writer of its answer: a request function's, a WSGI or ASGI app's (streamed chunk by chunk) and
 * httpy's own (408, 413, 500, 503, 504). A short answer made on the container thread by the fast
 * path never becomes an exchange: the {@link Dispatcher} writes it whole.
 *
 * <p>Whoever answers first {@linkplain #claim claims} the response; everybody else finds it
 * answered. The answer goes out through a {@link WriteListener}: as much as the client accepts
 * now, the rest when the container says the client can take more, so no thread ever waits on a
 * socket. A streamed answer asks its {@link ChunkSource} for the next chunk only once the last one
 * has been accepted, so a slow reader holds one chunk of memory and no thread.
 *
 * <p>Without async support in the chain ({@link #blocking}), the container thread that received
 * the request waits in {@link #awaitAndWrite} and writes each chunk itself; Python workers still
 * never touch the socket.
 */
public final class Exchange implements WriteListener, AsyncListener {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    /** The most one write hands the container: bigger answers go out in slices as the client takes them. */
    public static final int SLICE = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];

    /** The Python side of a streamed answer: makes chunks on request, and is told when nobody wants more. */
    public interface ChunkSource {
        /** Make the next chunk and {@link #offer} it (or fail the exchange); called once per accepted chunk. */
        void requestNext();

        /** The client has gone or the answer was cut: free the Python side (close the WSGI iterable). */
        void cancel();
    }

    private final String method;
    private final String path;
    private final HttpServletResponse response;
    /** Null when the chain cannot go async; then the container thread writes in {@link #awaitAndWrite}. */
    private final AsyncContext async;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final Runnable onEnd;

    // Deadlines, read by the sweeper: System.nanoTime() of when each wait began, 0 when not waiting.
    volatile long bodyWaitSince;
    volatile long pythonSince;
    volatile long writeStalledSince;
    /** Stops the Python work running or queued for this exchange now, when python.timeout passes; or null. */
    private volatile Runnable inFlight;
    /** The reader of a body still arriving, or null. */
    volatile BodyReader body;
    /** httpy's OpenTelemetry span for this request, or null. */
    private volatile Tracing.RequestSpan span;

    // The answer on its way out; guarded by this.
    private byte[] chunk;
    private int offset;
    private boolean lastChunk;
    private ChunkSource source;
    private boolean ended;
    private ServletOutputStream out;

    private Exchange(String method, String path, HttpServletResponse response, AsyncContext async, Runnable onEnd) {
        this.method = method;
        this.path = path;
        this.response = response;
        this.async = async;
        this.onEnd = onEnd;
    }

    /** An exchange on a started AsyncContext, writing through a WriteListener. */
    static Exchange async(String method, String path, HttpServletResponse response, AsyncContext async, Runnable onEnd)
            throws IOException {
        var exchange = new Exchange(method, path, response, async, onEnd);
        async.addListener(exchange);
        exchange.out = response.getOutputStream();
        exchange.out.setWriteListener(exchange);
        return exchange;
    }

    /** An exchange whose container thread waits and writes, for a chain without async support. */
    static Exchange blocking(String method, String path, HttpServletResponse response, Runnable onEnd) {
        return new Exchange(method, path, response, null, onEnd);
    }

    /** What stops the Python work of this exchange now (its worker's task, its ASGI call), when python.timeout passes. */
    public void inFlight(Runnable interrupt) {
        inFlight = interrupt;
    }

    void interruptInFlight() {
        Runnable interrupt = inFlight;
        if (interrupt != null) {
            interrupt.run();
        }
    }

    /** httpy's OpenTelemetry span for this request, or null without one. */
    public Tracing.RequestSpan span() {
        return span;
    }

    void span(Tracing.RequestSpan span) {
        this.span = span;
    }

    /** Tells httpy's span, if any, that this thread runs the request's Python now, and how long it waited. */
    public void pythonRunsHere() {
        Tracing.RequestSpan traced = span;
        if (traced != null) {
            long since = pythonSince;
            traced.ranOn(Thread.currentThread().getName(), since == 0 ? -1 : System.nanoTime() - since);
        }
    }

    /** Python has the request from now on: python.timeout runs. */
    public void pythonWaitBegins() {
        pythonSince = System.nanoTime() | 1;
    }

    /** Python answered (or began its answer): python.timeout stops. */
    public void pythonWaitEnds() {
        pythonSince = 0;
    }

    /** Since when python.timeout runs ({@code System.nanoTime()}), 0 when it does not. */
    public long pythonWaitSince() {
        return pythonSince;
    }

    /** Lets python.timeout run from {@code since}, as read from {@link #pythonWaitSince}. */
    public void pythonWaitSince(long since) {
        pythonSince = since;
    }

    String method() {
        return method;
    }

    String path() {
        return path;
    }

    /** Takes the right to answer; false when somebody (a timeout, an error) already has. */
    public boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    public boolean claimed() {
        return claimed.get();
    }

    /** Answers with a whole response unless somebody already did. */
    public void answer(PythonResponse answer) {
        if (claim()) {
            begin(answer.status(), answer.headers(), answer.body(), true, null);
        }
    }

    /** httpy's own plain-text answer (408, 413, 500, 503, 504), logged at {@code level} with {@code why}. */
    public void answerText(int status, String text, System.Logger.Level level, String why, String... headers) {
        if (!claim()) {
            return;
        }
        LOG.log(level, "{0} {1} -> {2} in {3} ms: {4}", method, path, status, elapsedMillis(), why);
        var answer = PythonResponse.text(status, HttpyAnswers.body(text));
        for (int i = 0; i < headers.length; i += 2) {
            answer = answer.withHeader(headers[i], headers[i + 1]);
        }
        begin(answer.status(), answer.headers(), answer.body(), true, null);
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /**
     * Sends the status and headers and the first chunk, for a caller that {@linkplain #claim claimed}
     * the response. A complete answer ({@code last}) gets a Content-Length unless it has one;
     * otherwise {@code more} is asked for each next chunk once this one is accepted.
     */
    public void begin(int status, List<String> headers, byte[] first, boolean last, ChunkSource more) {
        try {
            writeHead(response, status, headers, last ? first.length : -1);
        } catch (IllegalStateException e) {
            end("could not start the response: " + e);
            return;
        }
        synchronized (this) {
            source = more;
        }
        offer(first, last);
    }

    /**
     * Status and headers, from names and values alternating: the one header loop of every answer;
     * then, for a body of {@code length} bytes (-1: not known yet), its Content-Length unless the
     * headers gave one.
     */
    static void writeHead(HttpServletResponse response, int status, List<String> headers, long length) {
        response.setStatus(status);
        for (int i = 0; i < headers.size(); i += 2) {
            response.addHeader(headers.get(i), headers.get(i + 1));
        }
        if (length >= 0 && !response.containsHeader("Content-Length")) {
            response.setContentLengthLong(length);
        }
    }

    /**
     * A whole answer written at once on the container thread that received the request, for one
     * that fits the response buffer or a chain that never went async: flushed when the request ends.
     */
    static void writeWhole(HttpServletResponse response, int status, List<String> headers, byte[] body)
            throws IOException {
        writeHead(response, status, headers, body.length);
        if (body.length > 0) {
            response.getOutputStream().write(body);
        }
    }

    /** The next chunk of a streamed answer; {@code last} ends it. */
    public void offer(byte[] next, boolean last) {
        synchronized (this) {
            if (ended) {
                return;
            }
            chunk = next == null ? EMPTY : next;
            offset = 0;
            lastChunk = last;
            if (async == null) {
                notifyAll();
                return;
            }
        }
        pump();
    }

    /** Writes while the client accepts; asks for the next chunk or ends when this one is out. */
    private void pump() {
        ChunkSource askNext = null;
        boolean complete = false;
        synchronized (this) {
            if (ended || chunk == null) {
                return;
            }
            try {
                while (offset < chunk.length) {
                    if (!out.isReady()) {
                        stalled();
                        return;
                    }
                    int n = Math.min(SLICE, chunk.length - offset);
                    out.write(chunk, offset, n);
                    offset += n;
                }
                if (!lastChunk) {
                    // So the client sees each chunk as it is made, not when the buffer fills.
                    if (!out.isReady()) {
                        stalled();
                        return;
                    }
                    out.flush();
                    if (!out.isReady()) {
                        stalled();
                        return;
                    }
                }
            } catch (IOException | IllegalStateException e) {
                drop(System.Logger.Level.DEBUG, "the client has gone: " + e);
                return;
            }
            writeStalledSince = 0;
            chunk = null;
            if (lastChunk) {
                complete = true;
            } else {
                askNext = source;
            }
        }
        if (complete) {
            end(null);
        } else if (askNext != null) {
            askNext.requestNext();
        }
    }

    private void stalled() {
        if (writeStalledSince == 0) {
            writeStalledSince = System.nanoTime() | 1;
        }
    }

    @Override
    public void onWritePossible() {
        pump();
    }

    @Override
    public void onError(Throwable t) {
        drop(System.Logger.Level.DEBUG, "the client has gone: " + t);
    }

    /**
     * The container thread's side of a blocking exchange: waits for each chunk and writes it,
     * until the answer is complete or {@code timeoutNanos} pass without one (then 504).
     */
    void awaitAndWrite(long timeoutNanos, Runnable onTimeout) throws InterruptedException {
        while (true) {
            byte[] next;
            boolean last;
            ChunkSource more;
            synchronized (this) {
                long deadline = System.nanoTime() + timeoutNanos;
                while (chunk == null && !ended) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    wait(Math.max(1, left / 1_000_000));
                }
                if (ended) {
                    return;
                }
                if (chunk == null) {
                    next = null;
                    last = false;
                    more = null;
                } else {
                    next = chunk;
                    last = lastChunk;
                    more = source;
                    chunk = null;
                }
            }
            if (next == null) {
                onTimeout.run(); // answers 504, or cuts a stream short; either way ends the exchange
                continue;
            }
            try {
                var stream = response.getOutputStream();
                stream.write(next);
                if (!last) {
                    stream.flush();
                }
            } catch (IOException e) {
                drop(System.Logger.Level.DEBUG, "the client has gone: " + e);
                return;
            }
            if (last) {
                end(null);
                return;
            }
            if (more != null) {
                more.requestNext();
            }
        }
    }

    /**
     * Gives up on the client: it stopped reading, went away, or the answer was cut. The Python side
     * is told to stop, and the exchange ends (the container closes the connection). One dropped
     * before any answer began (the container ended it, as Tomcat does when the web app stops, or
     * the app stopped) is a 503 with Connection: close, never the container's default empty 200.
     */
    public void drop(System.Logger.Level level, String why) {
        boolean answering = claimed.getAndSet(true);
        ChunkSource toCancel;
        synchronized (this) {
            if (ended) {
                return;
            }
            toCancel = source;
            source = null;
            chunk = null;
        }
        LOG.log(level, "{0} {1}: dropped after {2} ms: {3}", method, path, elapsedMillis(), why);
        if (toCancel != null) {
            toCancel.cancel();
        }
        if (!answering) {
            unanswered();
        }
        end(why);
    }

    private void unanswered() {
        try {
            if (!response.isCommitted()) {
                response.setStatus(503);
                response.setHeader("Connection", "close");
            }
        } catch (RuntimeException gone) {
            // the container has finished with the response; nothing reaches the client anyway
        }
    }

    /** Ends the exchange once: completes the AsyncContext (or wakes the waiting container thread). */
    private void end(String problem) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            chunk = null;
            notifyAll();
        }
        bodyWaitSince = 0;
        pythonSince = 0;
        writeStalledSince = 0;
        stopBody();
        onEnd.run();
        if (async != null) {
            try {
                async.complete();
            } catch (IllegalStateException alreadyDone) {
                // The container completed it (client gone); nothing to do.
            }
        }
    }

    /** Stops reading the body (it stalled, or the answer no longer needs it). */
    void stopBody() {
        BodyReader reader = body;
        if (reader != null) {
            reader.stop();
        }
    }

    public boolean ended() {
        synchronized (this) {
            return ended;
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        drop(System.Logger.Level.TRACE, "completed");
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // httpy's own deadlines answer first; the container's async timeout is a year away, so this is
        // the container ending the request: Tomcat and Jetty do so to the requests left when they stop.
        drop(System.Logger.Level.WARNING, "the container ended the request (it is stopping, or its async timeout passed)");
    }

    @Override
    public void onError(AsyncEvent event) {
        drop(System.Logger.Level.DEBUG, "the connection failed: " + event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
