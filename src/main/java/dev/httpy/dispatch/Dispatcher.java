package dev.httpy.dispatch;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.httpy.os.BodyPipe;
import dev.httpy.os.PipePoller;
import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonResponse;
import dev.httpy.routing.RouteMatch;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.tracing.Tracing;
import dev.httpy.workers.PythonTask;
import dev.httpy.workers.PythonWorkers;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Takes each Python request from the filter to its answer: admits it, checks its declared length,
 * hands it to its {@link PythonApp}, and gives every app kind the same mechanics to serve it, by
 * the cheapest way that makes nobody wait:
 * <ul>
 *   <li><b>here</b>: a short handler with its body in hand runs on the container thread that
 *       received the request, when Python is free ({@link FastPath}); no hand-off at all;</li>
 *   <li><b>async</b>: otherwise the request goes asynchronous: its body is read as it arrives
 *       ({@link BodyReader}), a Python worker runs the handler, and the answer goes out as the
 *       client accepts it ({@link Exchange});</li>
 *   <li><b>blocking</b>: a chain without async support keeps the container thread, which reads the
 *       body, waits for a worker's answer and writes it.</li>
 * </ul>
 * Python's failures become 500, a full queue 503 at once, an overrun 504, a stalled body 408, and
 * a client that stops reading is dropped; {@link Deadlines} keeps the time limits. The methods an
 * app kind serves with are public; the order is {@link #started}, then one way to the answer.
 */
public final class Dispatcher implements AutoCloseable, Deadlines.Actions {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final String TIMEOUT_TEXT = HttpyAnswers.timedOut("handler");
    /**
     * The container's own limit on an asynchronous request: far beyond any of httpy's, which
     * {@link Deadlines} keeps. Not 0 ("none"): Tomcat times out the asynchronous requests that have
     * no limit of their own as soon as their web app stops (once its unloadDelay, 2 s, has passed),
     * which would cut short the drain python.drain-timeout gives them.
     */
    private static final long CONTAINER_ASYNC_TIMEOUT_MILLIS = Duration.ofDays(365).toMillis();

    /** The limits a dispatcher keeps, from the filter's init-params. */
    public record Limits(Duration timeout, Duration bodyTimeout, Duration writeTimeout, long maxBody, boolean debug) {
    }

    private final PythonWorkers workers;
    private final FastPath fastPath;
    private final PythonApp app;
    private final Limits limits;
    private final Deadlines deadlines;
    private final String name;
    /** The interpreter that serves, as httpy's span names it. */
    private final String interpreter;
    /** The body pipes' poller, started with the first piped body. */
    private PipePoller pipes;
    private final Map<String, HandlerTimes> times = new ConcurrentHashMap<>();
    private final LongAdder rejected = new LongAdder();
    private final Metrics metrics;
    /** Requests admitted here and not yet answered; none taken once it retires. */
    private final Admission admission = new Admission();
    private volatile boolean warnedBlocking;

    /**
     * @param runtime  the app's runtime, to run short handlers on container threads ({@link FastPath}),
     *                 or null to hand every request to the workers
     * @param metrics  where the requests are counted: the filter's, which outlives a dispatcher that a
     *                 reload replaces
     */
    public Dispatcher(String name, PythonWorkers workers, PythonRuntime runtime, PythonApp app, Limits limits,
                      Metrics metrics, String interpreter) {
        this.name = name;
        this.interpreter = interpreter;
        this.workers = workers;
        this.metrics = metrics;
        this.app = app;
        this.limits = limits;
        this.deadlines = new Deadlines(name + "-deadlines", limits.bodyTimeout(), limits.timeout(), limits.writeTimeout(), this);
        this.fastPath = runtime == null ? null : new FastPath(runtime, deadlines, metrics.gilWaits());
        // Into the filter's figures, which outlive these workers when a reload replaces them.
        workers.countGilWaitsIn(metrics.gilWaits());
    }

    /**
     * Serves one request that matched {@code route}: a declared body over {@code python.max-body}
     * gets 413 here, anything else goes to the app.
     */
    public void serve(HttpServletRequest request, HttpServletResponse response, String path, RouteMatch.Found route)
            throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > limits.maxBody()) {
            tooLarge(request, response);
            return;
        }
        boolean hasBody = declared > 0 || (declared < 0 && request.getHeader("Transfer-Encoding") != null);
        Tracing.RequestSpan span = Tracing.start(request, route.pattern(), app.name(), app.kind(), interpreter);
        if (span == null) {
            app.serve(this, request, response, path, route, hasBody);
            return;
        }
        // Python sees the span's trace headers; a handler run here has it current, as a worker will.
        request = span.request();
        request.setAttribute(SPAN, span);
        try (var ignored = span.enter()) {
            app.serve(this, request, response, path, route, hasBody);
        }
    }

    /** How long the handler of {@code route} usually runs, for the fast path's decision. */
    public HandlerTimes timesOf(String route) {
        return times.computeIfAbsent(route, r -> new HandlerTimes());
    }

    /** The workers, for an answer that makes its chunks on them (a WSGI stream). */
    public PythonWorkers workers() {
        return workers;
    }

    /** Collects the whole body as it arrives, without holding a thread; {@code whole} gets it on the thread that read its end. */
    public void collectBody(Exchange exchange, HttpServletRequest request, Consumer<byte[]> whole) throws IOException {
        BodyReader.collect(exchange, request.getInputStream(), request.getContentLengthLong(), limits.maxBody(), whole);
    }

    /** Pipes the body into {@code pipe} as it arrives and as Python takes it. */
    public void pipeBody(Exchange exchange, HttpServletRequest request, BodyPipe pipe) throws IOException {
        PipePoller poller;
        synchronized (this) {
            if (pipes == null) {
                pipes = new PipePoller(name + "-body-pipes");
            }
            poller = pipes;
        }
        BodyReader.pipe(exchange, request.getInputStream(), limits.maxBody(), pipe, poller);
    }

    // ---- the fast path: Python on the container thread ----

    /** What running on the container thread gave: the work's value, or httpy's error answer (500, 504). */
    public sealed interface Here<T> {
        record Ran<T>(T value) implements Here<T> {
        }

        record Failed<T>(int status, String text, String problem) implements Here<T> {
        }
    }

    /**
     * Runs {@code work} on this container thread if the route is short and Python is free; null
     * when it did not run (then the caller takes the async path).
     */
    public <T> Here<T> runHere(HandlerTimes routeTimes, Function<Python, T> work) {
        FastPath.Outcome<T> outcome = fastPath == null ? null : fastPath.tryRun(routeTimes, work);
        return outcome == null ? null : here(outcome, app.name(), limits.debug());
    }

    /** What a run on the container thread gave, as the caller answers it: the value, 504 when python.timeout stopped it, else 500. */
    static <T> Here<T> here(FastPath.Outcome<T> outcome, String appName, boolean debug) {
        RuntimeException error = outcome.error();
        if (error == null) {
            return new Here.Ran<>(outcome.value());
        }
        if (error instanceof PythonException e) {
            if (outcome.timedOut()) {
                return new Here.Failed<>(504, TIMEOUT_TEXT, appName + " did not answer within the timeout (python.timeout)");
            }
            return new Here.Failed<>(500, HttpyAnswers.internalError(debug,
                    e.pythonTraceback().isEmpty() ? e.getMessage() : e.pythonTraceback()),
                    appName + " raised " + e.getMessage() + "\n" + e.pythonTraceback());
        }
        return new Here.Failed<>(500, HttpyAnswers.internalError(debug, error.toString()),
                appName + " answered badly: " + error);
    }

    /**
     * A short request without a body, run here when possible; its answer written directly when it
     * fits the container's buffer (flushed as the request ends, so nobody waits), else
     * asynchronously.
     *
     * @return false when it did not run
     */
    public boolean tryHere(HandlerTimes routeTimes, HttpServletRequest request, HttpServletResponse response,
                           Function<Python, PythonResponse> work) throws IOException {
        Here<PythonResponse> here = runHere(routeTimes, work);
        if (here == null) {
            return false;
        }
        if (request.getAttribute(SPAN) instanceof Tracing.RequestSpan span) {
            span.ranOn(Thread.currentThread().getName(), -1);
        }
        switch (here) {
            case Here.Ran<PythonResponse> ran -> {
                PythonResponse answer = ran.value();
                if (answer.body().length <= response.getBufferSize()) {
                    writeWhole(request, response, answer);
                } else {
                    startAsync(request, response, null).answer(answer);
                }
            }
            case Here.Failed<PythonResponse> failed -> writeFailure(request, response, failed);
        }
        return true;
    }

    /** A whole answer written on the container thread (flushed as the request ends), and the request counted done. */
    public void writeWhole(HttpServletRequest request, HttpServletResponse response, PythonResponse answer)
            throws IOException {
        Exchange.writeWhole(response, answer.status(), answer.headers(), answer.body());
        finished(request, answer.status());
    }

    /** httpy's error answer for work that failed on the container thread, logged at WARNING. */
    public void writeFailure(HttpServletRequest request, HttpServletResponse response, Here.Failed<?> failed)
            throws IOException {
        LOG.log(System.Logger.Level.WARNING, "{0} {1} -> {2}: {3}", request.getMethod(), request.getRequestURI(),
                failed.status(), failed.problem());
        writeWhole(request, response, PythonResponse.text(failed.status(), HttpyAnswers.body(failed.text())));
    }

    /**
     * After an asynchronous body has arrived, on the container thread that read its end: runs
     * {@code work} here if possible and answers with it; false when it did not run.
     */
    public boolean runHereAsync(HandlerTimes routeTimes, Exchange exchange, Function<Python, PythonResponse> work) {
        Here<PythonResponse> here = runHere(routeTimes, work);
        if (here == null) {
            return false;
        }
        exchange.pythonWaitEnds();
        switch (here) {
            case Here.Ran<PythonResponse> ran -> exchange.answer(ran.value());
            case Here.Failed<PythonResponse> failed ->
                    exchange.answerText(failed.status(), failed.text(), System.Logger.Level.WARNING, failed.problem());
        }
        return true;
    }

    // ---- the async and blocking paths ----

    /** Takes the request asynchronous: an exchange whose end (answered, dropped) runs {@code onEnd}. */
    public Exchange startAsync(HttpServletRequest request, HttpServletResponse response, Runnable onEnd)
            throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(CONTAINER_ASYNC_TIMEOUT_MILLIS);
        var holder = new Exchange[1];
        Exchange exchange = Exchange.async(request.getMethod(), request.getRequestURI(), response, async, () -> {
            deadlines.untrack(holder[0]);
            finished(request, response.getStatus());
            if (onEnd != null) {
                onEnd.run();
            }
        });
        holder[0] = exchange;
        if (request.getAttribute(SPAN) instanceof Tracing.RequestSpan span) {
            exchange.span(span);
        }
        deadlines.track(exchange);
        return exchange;
    }

    /** Queues one trip into Python; answers 503 at once when the queue is full. */
    public void submit(Exchange exchange, PythonCall call) {
        var task = new ExchangeTask(exchange, call);
        exchange.inFlight(() -> workers.interrupt(task));
        exchange.pythonWaitBegins();
        if (!(call.pinnedTo() == null ? workers.submit(task) : workers.submit(task, call.pinnedTo()))) {
            call.discard();
            refuseBusy(exchange);
        }
    }

    /** 503 with Retry-After: the requests waiting for Python fill python.queue. */
    public void refuseBusy(Exchange exchange) {
        rejected.increment();
        exchange.answerText(503, HttpyAnswers.busy(), System.Logger.Level.WARNING,
                "the queue of requests waiting for Python is full (python.queue); " + rejected.sum()
                        + " refused so far", "Retry-After", HttpyAnswers.RETRY_AFTER_SECONDS);
    }

    /** Serves on this container thread, for a chain without async support: it waits for the answer and writes it. */
    public void serveBlocking(HttpServletRequest request, HttpServletResponse response, PythonCall call) {
        if (!warnedBlocking) {
            warnedBlocking = true;
            LOG.log(System.Logger.Level.WARNING, "{0} {1}: a filter or servlet in its chain lacks"
                    + " <async-supported>true</async-supported>, so Python requests there hold a container thread"
                    + " while they wait", request.getMethod(), request.getRequestURI());
        }
        Exchange exchange = Exchange.blocking(request.getMethod(), request.getRequestURI(), response,
                () -> finished(request, response.getStatus()));
        submit(exchange, call);
        try {
            exchange.awaitAndWrite(limits.timeout().toNanos(), () -> pythonOverran(exchange));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.drop(System.Logger.Level.WARNING, "interrupted while waiting for Python");
        }
    }

    /** Reads the whole body on this thread, for a chain that cannot go async; null when over python.max-body (cut = false). */
    public byte[] readBlocking(HttpServletRequest request, boolean cut) throws IOException {
        long limit = limits.maxBody();
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (body.length <= limit) {
                return body;
            }
            if (!cut) {
                return null;
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: the request body exceeds python.max-body ({1} bytes); the"
                    + " WSGI app saw it cut at the limit", request.getRequestURI(), limit);
            return java.util.Arrays.copyOf(body, (int) limit);
        }
    }

    /** 413 on the container thread, for a body over python.max-body found before anything went async. */
    public void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answeredAtOnce(request, response, 413, HttpyAnswers.tooLarge(limits.maxBody()));
    }

    /** httpy's own answer to a Python request before it reached Python (400, 413), counted in {@link #metrics}. */
    public void answeredAtOnce(HttpServletRequest request, HttpServletResponse response, int status, String text)
            throws IOException {
        started(request);
        reply(request, response, status, text);
        finished(request, status);
    }

    private static final String STARTED = Dispatcher.class.getName() + ".started";
    private static final String SPAN = Dispatcher.class.getName() + ".span";

    /** Counts the request as begun: every app kind's serve calls it first, and its answer's end counts it done. */
    public void started(HttpServletRequest request) {
        request.setAttribute(STARTED, metrics.started());
    }

    /** Counts the request's end once, whichever path answered it, and lets a retiring dispatcher see it go. */
    private void finished(HttpServletRequest request, int status) {
        if (request.getAttribute(SPAN) instanceof Tracing.RequestSpan span) {
            request.removeAttribute(SPAN);
            span.end(status);
        }
        if (request.getAttribute(STARTED) instanceof Long since) {
            request.removeAttribute(STARTED);
            metrics.finished(since, status);
            leave();
        }
    }

    /**
     * Takes a request that will be served here (then {@link #serve}, {@link #tooLarge} or
     * {@link #answeredAtOnce}, whose answer lets it go) or handed back with {@link #leave}; false
     * once {@link #retire} began, when the request belongs to the dispatcher that replaced this one.
     */
    public boolean admit() {
        return admission.admit();
    }

    /** An admitted request that needs no answer from here (no route matched, or a WebSocket). */
    public void leave() {
        admission.leave();
    }

    /**
     * Takes no more requests and waits, at most {@code limit} and while {@code keepWaiting} says
     * so, until those admitted have been answered (a reload's old code finishes what it began);
     * true if they all were. Then {@link #close}.
     */
    public boolean retire(Duration limit, java.util.function.BooleanSupplier keepWaiting) {
        return admission.retire(limit, keepWaiting);
    }

    /** Requests admitted and not answered yet. */
    public long admitted() {
        return admission.inFlight();
    }

    /**
     * httpy's own answer on the container thread, before anything went async, with {@code headers}
     * (names and values in turn) besides its Content-Type; logged at INFO.
     */
    public static void reply(HttpServletRequest request, HttpServletResponse response, int status, String text,
                             String... headers) throws IOException {
        LOG.log(System.Logger.Level.INFO, "{0} {1} -> {2}: {3}", request.getMethod(), request.getRequestURI(), status, text);
        var answer = PythonResponse.text(status, text + "\n");
        for (int i = 0; i < headers.length; i += 2) {
            answer = answer.withHeader(headers[i], headers[i + 1]);
        }
        Exchange.writeWhole(response, answer.status(), answer.headers(), answer.body());
    }

    /** Records how long a trip into Python took, for the route's fast-path decision. */
    public static PythonCall timed(HandlerTimes routeTimes, PythonCall call) {
        return (py, exchange) -> {
            long start = System.nanoTime();
            try {
                return call.run(py, exchange);
            } finally {
                routeTimes.record(System.nanoTime() - start);
            }
        };
    }

    /** One trip into Python on a worker for an exchange; failures become a 500 or cut the answer. */
    private final class ExchangeTask implements PythonTask {
        private final Exchange exchange;
        private final PythonCall call;

        ExchangeTask(Exchange exchange, PythonCall call) {
            this.exchange = exchange;
            this.call = call;
        }

        @Override
        public Runnable runWithGil(Python py) {
            if (exchange.claimed()) {
                call.discard(); // answered while it waited (timed out, client gone)
                return null;
            }
            Tracing.RequestSpan span = exchange.span();
            try (var ignored = span == null ? null : span.enter()) {
                exchange.pythonRunsHere();
                return call.run(py, exchange);
            } catch (PythonException e) {
                return failed(exchange, app.name() + " raised " + e.getMessage() + "\n" + e.pythonTraceback(),
                        e.pythonTraceback().isEmpty() ? e.getMessage() : e.pythonTraceback());
            } catch (RuntimeException e) {
                return failed(exchange, app.name() + " answered badly: " + e, e.toString());
            } finally {
                exchange.pythonWaitEnds();
            }
        }

        @Override
        public void abandon() {
            call.discard();
            exchange.answerText(503, HttpyAnswers.stopping("the Python app"), System.Logger.Level.WARNING,
                    "the Python workers stopped before it ran", "Retry-After", HttpyAnswers.RETRY_AFTER_SECONDS);
        }
    }

    /** A 500 to send after the GIL is released, or a cut answer when it had already begun. */
    private Runnable failed(Exchange exchange, String problem, String detail) {
        if (exchange.claimed()) {
            return () -> exchange.drop(System.Logger.Level.WARNING, problem + " after the response had started; it is cut short");
        }
        return () -> exchange.answerText(500, internalError(detail), System.Logger.Level.WARNING, problem);
    }

    /** A 500's text: with {@code python.debug}, the detail (a traceback) too; never otherwise. */
    private String internalError(String detail) {
        return HttpyAnswers.internalError(limits.debug(), detail);
    }

    // ---- deadlines ----

    @Override
    public void bodyStalled(Exchange exchange) {
        exchange.answerText(408, HttpyAnswers.bodyStalled(), System.Logger.Level.WARNING,
                "the client sent no body bytes for " + limits.bodyTimeout().toMillis() / 1000.0 + " s (python.body-timeout)");
        exchange.stopBody();
    }

    @Override
    public void pythonOverran(Exchange exchange) {
        overran(exchange, app.name());
    }

    /**
     * python.timeout passed while {@code exchange} waited on Python: 504 unless an answer has begun
     * (then it is cut short), and the Python work stopped.
     */
    static void overran(Exchange exchange, String appName) {
        if (exchange.claimed()) {
            exchange.drop(System.Logger.Level.WARNING, appName + " did not make its next chunk within python.timeout;"
                    + " the response is cut short");
        } else {
            exchange.answerText(504, TIMEOUT_TEXT, System.Logger.Level.WARNING,
                    appName + " did not answer within the timeout (python.timeout)");
        }
        exchange.interruptInFlight();
    }

    @Override
    public void writeStalled(Exchange exchange) {
        exchange.drop(System.Logger.Level.WARNING, "the client accepted none of its answer for "
                + limits.writeTimeout().toMillis() / 1000.0 + " s (python.write-timeout); the connection is dropped");
    }

    @Override
    public void overranHere(Thread thread) {
        if (fastPath != null) {
            fastPath.interrupt(thread);
        }
    }

    /** Requests refused with 503 because the queue was full. */
    public long rejected() {
        return rejected.sum();
    }

    @Override
    public void close() {
        stop(workers::close);
    }

    /**
     * {@link #close}, giving the workers' running tasks {@code grace} to end (instead of the
     * workers' default) before a TimeoutError is raised in them.
     */
    public void close(Duration grace) {
        stop(() -> workers.close(grace));
    }

    private void stop(Runnable stopWorkers) {
        stopWorkers.run();
        deadlines.close();
        synchronized (this) {
            if (pipes != null) {
                pipes.close();
            }
        }
    }
}
