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
    private final RequestFunction function;
    private final Duration timeout;
    private final boolean debug;
    final LongAdder rejected = new LongAdder();
    private volatile boolean warnedSync;

    public Dispatcher(PythonWorkers workers, RequestFunction function, Duration timeout, boolean debug) {
        this.workers = workers;
        this.function = function;
        this.timeout = timeout;
        this.debug = debug;
    }

    /**
     * Queues the request and returns; the response is completed later on a worker (or by the
     * timeout). Where some filter or servlet of the chain does not support async, it waits instead.
     */
    public void dispatch(PythonRequest request, HttpServletRequest servletRequest, HttpServletResponse response)
            throws InterruptedException {
        Exchange exchange;
        if (servletRequest.isAsyncSupported()) {
            AsyncContext async = servletRequest.startAsync();
            async.setTimeout(timeout.toMillis());
            exchange = new Exchange(request, response, async, function, workers, debug);
            async.addListener(exchange);
            submit(exchange);
        } else {
            if (!warnedSync) {
                warnedSync = true;
                LOG.log(System.Logger.Level.WARNING, "{0} {1}: a filter or servlet in its chain lacks"
                        + " <async-supported>true</async-supported>, so Python requests there hold a container thread"
                        + " while they wait", request.method(), request.path());
            }
            exchange = new Exchange(request, response, null, function, workers, debug);
            if (submit(exchange)) {
                exchange.awaitAnswer(timeout);
            }
        }
    }

    private boolean submit(Exchange exchange) {
        if (!workers.submit(exchange)) {
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
