package dev.httpy.dispatch;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonTask;
import dev.httpy.python.PythonWorkers;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One request on its way through a Python worker. Whoever answers first (the worker, the timeout,
 * the overload check, a shutdown) {@linkplain #claim claims} the response and writes it; everybody
 * else finds it answered.
 */
public final class Exchange implements PythonTask, AsyncListener {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final String method;
    private final String path;
    private final HttpServletResponse response;
    /** Null when the chain cannot go async; then the container thread waits on {@link #done}. */
    private final AsyncContext async;
    private final PythonCall call;
    private final String handlerName;
    private final PythonWorkers workers;
    private final boolean debug;
    private final long startNanos = System.nanoTime();
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicBoolean answered = new AtomicBoolean();

    Exchange(String method, String path, HttpServletResponse response, AsyncContext async, PythonCall call,
             String handlerName, PythonWorkers workers, boolean debug) {
        this.method = method;
        this.path = path;
        this.response = response;
        this.async = async;
        this.call = call;
        this.handlerName = handlerName;
        this.workers = workers;
        this.debug = debug;
    }

    @Override
    public Runnable runWithGil(Python py) {
        if (answered.get()) {
            call.discard(); // timed out while it waited in the queue
            return null;
        }
        try {
            return call.run(py, this);
        } catch (PythonException e) {
            return failed(handlerName + " raised " + e.getMessage() + "\n" + e.pythonTraceback(),
                    e.pythonTraceback().isEmpty() ? e.getMessage() : e.pythonTraceback());
        } catch (RuntimeException e) {
            return failed(handlerName + " answered badly: " + e, e.toString());
        }
    }

    /** A 500 to send after the GIL is released, or a log line when the answer had already begun. */
    Runnable failed(String problem, String detail) {
        if (answered.get()) {
            return () -> LOG.log(System.Logger.Level.WARNING, "{0} {1}: {2} after the response had started; it is cut short",
                    method, path, problem);
        }
        String text = "500 Internal Server Error\n";
        var answer = PythonResponse.text(500, debug ? text + "\n" + detail + "\n" : text);
        return () -> answer(answer, problem);
    }

    @Override
    public void abandon() {
        call.discard();
        answer(PythonResponse.text(503, "503 Service Unavailable: the Python app is stopping\n")
                .withHeader("Retry-After", Dispatcher.RETRY_AFTER_SECONDS), "the Python workers stopped before it ran");
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        timeOut();
    }

    void timeOut() {
        answer(PythonResponse.text(504, "504 Gateway Timeout: the Python handler did not answer in time\n"),
                handlerName + " did not answer within the timeout (python.timeout)");
        workers.interrupt(this);
    }

    /** For a chain that cannot go async: blocks the container thread until answered or timed out. */
    void awaitAnswer(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            timeOut();
            done.await(); // a worker that won the race is writing; the response must be complete on return
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        // The connection failed (client gone); there is nobody left to answer.
        answered.set(true);
    }

    @Override
    public void onComplete(AsyncEvent event) {
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }

    void discardCall() {
        call.discard();
    }

    /** Takes the right to answer; false when somebody (the timeout) already has. */
    public boolean claim() {
        return answered.compareAndSet(false, true);
    }

    /** The response, for a call that {@linkplain #claim claimed} it and streams it itself. */
    public HttpServletResponse response() {
        return response;
    }

    /** Writes the response unless somebody already did; {@code problem} is logged with the request. */
    void answer(PythonResponse answer, String problem) {
        if (!claim()) {
            return;
        }
        if (problem != null) {
            LOG.log(System.Logger.Level.WARNING, "{0} {1} -> {2} in {3} ms: {4}", method, path,
                    answer.status(), (System.nanoTime() - startNanos) / 1_000_000, problem);
        }
        try {
            response.setStatus(answer.status());
            var headers = answer.headers();
            for (int i = 0; i < headers.size(); i += 2) {
                response.addHeader(headers.get(i), headers.get(i + 1));
            }
            response.setContentLength(answer.body().length);
            if (answer.body().length > 0) {
                response.getOutputStream().write(answer.body());
            }
        } catch (IOException | IllegalStateException e) {
            clientGone(e);
        } finally {
            finish();
        }
    }

    void clientGone(Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "could not send the response to {0} {1}: {2}", method, path, e);
    }

    /** Completes the exchange; a streaming call calls it once it has written everything. */
    public void finish() {
        call.finished();
        if (async == null) {
            done.countDown();
            return;
        }
        try {
            async.complete();
        } catch (IllegalStateException alreadyDone) {
            // The container completed it (client gone); nothing to do.
        }
    }
}
