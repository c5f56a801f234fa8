package dev.httpy.wsgi;

import dev.httpy.dispatch.Exchange;
import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonObject;
import dev.httpy.workers.PythonTask;
import dev.httpy.workers.PythonWorkers;

/**
 * The rest of a streamed WSGI answer after its first chunk: each next chunk is made on a worker
 * once the client has taken the last one, so a slow reader holds no thread.
 *
 * <p><b>Ownership.</b> This object is the one owner of the Python call (the app's iterable, its
 * {@code close()}, {@code write()} and {@code wsgi.input}) from the moment {@link WsgiApplication#start}
 * returns it. Python touches the call only in this class's tasks, one at a time: a chunk is asked for
 * only after the last one went out, and a {@link #cancel} that arrives while a chunk is being made
 * (the client left, python.timeout or python.write-timeout struck, the app is stopping) is left to
 * that task, which closes the call when its chunk is done. The call is closed, and its reference
 * released, exactly once: when the iterable ends, when it raises, or on cancel; never after the
 * workers have stopped (the interpreter goes with them).
 *
 * <p>Any worker may make a chunk. The glue runs every step of one call in the {@code contextvars}
 * context the call was started in, so a {@code ContextVar} the app set at its first chunk is there
 * at the last, whichever thread makes it.
 */
final class WsgiStream implements Exchange.ChunkSource {
    private static final System.Logger LOG = System.getLogger(WsgiStream.class.getName());
    private static final byte[] EMPTY = new byte[0];

    private enum State { IDLE, MAKING, CLOSED }

    private final WsgiApplication app;
    private final PythonObject call;
    private final Exchange exchange;
    private final PythonWorkers workers;
    /** The interpreter the call lives in: with a GIL per worker, only its worker may touch it; null for any. */
    private final Python home;

    // Guarded by this.
    private State state = State.IDLE;
    private boolean cancelled;

    WsgiStream(WsgiApplication app, PythonObject call, Exchange exchange, PythonWorkers workers, Python home) {
        this.app = app;
        this.call = call;
        this.exchange = exchange;
        this.workers = workers;
        this.home = home;
    }

    @Override
    public void requestNext() {
        synchronized (this) {
            if (state == State.CLOSED || cancelled) {
                return;
            }
        }
        exchange.pythonWaitBegins();
        var task = new NextChunk();
        exchange.inFlight(() -> workers.interrupt(task));
        if (!workers.submit(task, home)) {
            exchange.pythonWaitEnds();
            exchange.drop(System.Logger.Level.WARNING, "the queue of requests waiting for Python is full (python.queue)"
                    + " while it streamed; the response is cut short");
        }
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (state == State.CLOSED || cancelled) {
                return;
            }
            cancelled = true;
            if (state == State.MAKING) {
                return; // the task making a chunk closes the call when it returns
            }
        }
        if (!workers.submit(new Close(), home)) {
            LOG.log(System.Logger.Level.DEBUG, "could not close a cut WSGI response: the Python workers are full or stopped");
        }
    }

    /** Makes one chunk; closes the call when the iterable ends, raises, or was cancelled meanwhile. */
    private final class NextChunk implements PythonTask {
        @Override
        public Runnable runWithGil(Python py) {
            boolean making;
            synchronized (WsgiStream.this) {
                if (state != State.IDLE) {
                    exchange.pythonWaitEnds();
                    return null; // closed already
                }
                making = !cancelled;
                state = making ? State.MAKING : State.CLOSED;
            }
            if (!making) {
                exchange.pythonWaitEnds();
                app.close(py, call); // cancelled while this task waited in the queue
                return null;
            }
            byte[] chunk = null;
            RuntimeException failure = null;
            try {
                chunk = app.next(py, call);
            } catch (RuntimeException e) {
                failure = e; // a PythonException, or a chunk that was not bytes
            } finally {
                exchange.pythonWaitEnds();
                boolean close;
                synchronized (WsgiStream.this) {
                    close = chunk == null || cancelled;
                    state = close ? State.CLOSED : State.IDLE;
                }
                if (close) {
                    app.close(py, call);
                }
            }
            if (failure != null) {
                String why = "WSGI app " + app.name() + " failed after its response had started; the response is cut short: "
                        + (failure instanceof PythonException p ? p.getMessage() + "\n" + p.pythonTraceback() : failure.toString());
                return () -> exchange.drop(System.Logger.Level.WARNING, why);
            }
            byte[] made = chunk;
            return () -> exchange.offer(made == null ? EMPTY : made, made == null);
        }

        @Override
        public void abandon() {
            exchange.drop(System.Logger.Level.WARNING, "the Python workers stopped while it streamed");
        }
    }

    /** Closes a call that was cancelled between chunks. */
    private final class Close implements PythonTask {
        @Override
        public Runnable runWithGil(Python py) {
            synchronized (WsgiStream.this) {
                if (state != State.IDLE) {
                    return null; // closed, or a chunk is being made and its task will close
                }
                state = State.CLOSED;
            }
            app.close(py, call);
            return null;
        }

        @Override
        public void abandon() {
            // The workers have stopped; the interpreter, and the call with it, goes with them.
        }
    }
}
