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
 * the overload check, a shutdown) writes the response; everybody else finds it answered.
 */
final class Exchange implements PythonTask, AsyncListener {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final PythonRequest request;
    private final HttpServletResponse response;
    /** Null when the chain cannot go async; then the container thread waits on {@link #done}. */
    private final AsyncContext async;
    private final CountDownLatch done = new CountDownLatch(1);
    private final RequestFunction function;
    private final PythonWorkers workers;
    private final boolean debug;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean answered = new AtomicBoolean();

    Exchange(PythonRequest request, HttpServletResponse response, AsyncContext async, RequestFunction function,
             PythonWorkers workers, boolean debug) {
        this.request = request;
        this.response = response;
        this.async = async;
        this.function = function;
        this.workers = workers;
        this.debug = debug;
    }

    @Override
    public Runnable runWithGil(Python py) {
        if (answered.get()) {
            return null; // timed out while it waited in the queue
        }
        try {
            PythonResponse response = function.call(py, request);
            return () -> answer(response, null);
        } catch (PythonException e) {
            return () -> answer(failure(e.pythonTraceback().isEmpty() ? e.getMessage() : e.pythonTraceback()),
                    "request function " + function.name() + " raised " + e.getMessage() + "\n" + e.pythonTraceback());
        } catch (RuntimeException e) {
            return () -> answer(failure(e.toString()), "request function " + function.name() + " answered badly: " + e);
        }
    }

    @Override
    public void abandon() {
        answer(PythonResponse.text(503, "503 Service Unavailable: the Python app is stopping\n")
                .withHeader("Retry-After", Dispatcher.RETRY_AFTER_SECONDS), "the Python workers stopped before it ran");
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        timeOut();
    }

    void timeOut() {
        answer(PythonResponse.text(504, "504 Gateway Timeout: the Python handler did not answer in time\n"),
                "request function " + function.name() + " did not answer within the timeout (python.timeout)");
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

    private PythonResponse failure(String detail) {
        String text = "500 Internal Server Error\n";
        return PythonResponse.text(500, debug ? text + "\n" + detail + "\n" : text);
    }

    /** Writes the response unless somebody already did; {@code problem} is logged with the request. */
    void answer(PythonResponse answer, String problem) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        if (problem != null) {
            LOG.log(System.Logger.Level.WARNING, "{0} {1} -> {2} in {3} ms: {4}", request.method(), request.path(),
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
            LOG.log(System.Logger.Level.DEBUG, "could not send the response to {0} {1}: {2}",
                    request.method(), request.path(), e);
        } finally {
            finish();
        }
    }

    private void finish() {
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
