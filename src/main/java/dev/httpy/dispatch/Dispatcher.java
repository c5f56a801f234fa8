package dev.httpy.dispatch;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import dev.httpy.python.PythonWorkers;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Hands requests to the Python workers and answers them: with Python's response, with 500 when
 * Python fails, 503 at once when the queue is full, 504 when the handler overruns its time.
 */
public final class Dispatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    /** Seconds a client should wait before retrying an overloaded server. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final PythonWorkers workers;
    private final PythonHandler handler;
    private final Duration timeout;
    private final boolean debug;
    final LongAdder rejected = new LongAdder();
    private volatile boolean warnedSync;

    public Dispatcher(PythonWorkers workers, PythonHandler handler, Duration timeout, boolean debug) {
        this.workers = workers;
        this.handler = handler;
        this.timeout = timeout;
        this.debug = debug;
    }

    /**
     * Queues the request and returns; the response is completed later on a worker (or by the
     * timeout). Where some filter or servlet of the chain does not support async, it waits instead.
     *
     * @return false when the queue was full and the client got 503
     */
    public boolean dispatch(HttpServletRequest servletRequest, HttpServletResponse response, PythonCall call)
            throws InterruptedException {
        Exchange exchange;
        String method = servletRequest.getMethod();
        String path = servletRequest.getRequestURI();
        if (servletRequest.isAsyncSupported()) {
            AsyncContext async = servletRequest.startAsync();
            async.setTimeout(timeout.toMillis());
            exchange = new Exchange(method, path, response, async, call, handler.name(), workers, debug);
            async.addListener(exchange);
            return submit(exchange);
        } else {
            if (!warnedSync) {
                warnedSync = true;
                LOG.log(System.Logger.Level.WARNING, "{0} {1}: a filter or servlet in its chain lacks"
                        + " <async-supported>true</async-supported>, so Python requests there hold a container thread"
                        + " while they wait", method, path);
            }
            exchange = new Exchange(method, path, response, null, call, handler.name(), workers, debug);
            if (!submit(exchange)) {
                return false;
            }
            exchange.awaitAnswer(timeout);
            return true;
        }
    }

    private boolean submit(Exchange exchange) {
        if (!workers.submit(exchange)) {
            exchange.discardCall();
            rejected.increment();
            exchange.answer(PythonResponse.text(503, "503 Service Unavailable: all Python workers are busy\n")
                    .withHeader("Retry-After", RETRY_AFTER_SECONDS), "the queue of requests waiting for Python is full"
                    + " (python.queue); " + (rejected.sum()) + " refused so far");
            return false;
        }
        return true;
    }

    /** Requests refused with 503 because the queue was full. */
    public long rejected() {
        return rejected.sum();
    }

    @Override
    public void close() {
        workers.close();
    }
}
