package dev.httpy.asgi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import dev.httpy.dispatch.CallContext;
import dev.httpy.dispatch.Dispatcher;
import dev.httpy.dispatch.Exchange;
import dev.httpy.dispatch.HttpyAnswers;
import dev.httpy.dispatch.PythonApp;
import dev.httpy.dispatch.PythonCall;
import dev.httpy.dispatch.RequestContext;
import dev.httpy.os.BodyPipe;
import dev.httpy.os.Doorbell;
import dev.httpy.os.ReadyWatch;
import dev.httpy.python.BundledSource;
import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.python.PythonObject;
import dev.httpy.routing.RouteMatch;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.runtime.Waits;
import dev.httpy.workers.PythonTask;
import dev.httpy.workers.PythonWorkers;
import dev.httpy.workers.ResultTask;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * An ASGI 3 application mounted by {@code python.asgi=module:app}. It runs on an asyncio event loop
 * in the app's interpreter, on one Python thread ({@code _httpy_asgi.AsgiServer}); with
 * {@code python.gil=per-worker}, one such loop in each worker's interpreter. However many requests
 * are open, slow or streaming, they cost those threads and no other.
 *
 * <p>Java and the loop never wait for each other. A worker hands a request over ({@code begin})
 * and is free again; what the app sends is queued in Python, which rings a {@link Doorbell}; on
 * that ring one worker trip takes every queued message at once and, in the same trip, tells
 * Python which streamed chunks the clients have accepted (so the app's {@code send()} of the next
 * one returns: backpressure), which clients went away and which requests overran python.timeout.
 * The answers then go out through each request's {@link Exchange}.
 *
 * <p>A WebSocket call ({@link #openWebSocket}) rides the same trips: what its client sent comes
 * in with them, in order, and what the app decided and sent goes to its {@link Socket}, the
 * container's side, which knows nothing of Python.
 */
public final class AsgiApplication implements PythonApp {
    /** The extensions key under which {@link AsgiScope} hands over a request's {@link CallContext}; taken out before Python. */
    static final String CONTEXT = "httpy.context";
    /** The servlet context attribute under which a Jakarta WebSocket container offers itself. */
    static final String WEBSOCKET_CONTAINER = "jakarta.websocket.server.ServerContainer";
    private static final byte[] EMPTY = new byte[0];

    private static final System.Logger LOG = System.getLogger(AsgiApplication.class.getName());
    private static final String MODULE = "_httpy_asgi";
    /**
     * Whether each loop is driven by the workers' trips (no thread of its own; the default) or runs
     * on a Python thread of its own, with {@code -Dhttpy.asgi.loop=thread}.
     */
    static final boolean DRIVEN = !"thread".equals(System.getProperty("httpy.asgi.loop", "driven"));

    private final String name;
    private final Duration lifespanTimeout;
    private final RequestContext.Settings exposed;
    /** How long a WebSocket's handshake may wait for the app: python.timeout. */
    private final Duration timeout;
    /** python.debug: a 500's text carries the traceback. */
    private final boolean debug;
    private final Map<Long, Call> calls = new ConcurrentHashMap<>();
    private final Map<Long, Socket> sockets = new ConcurrentHashMap<>();
    /** The loop each open call (request or WebSocket) runs on. */
    private final Map<Long, Loop> loopOf = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** One loop in the web app's interpreter, or one per worker with python.gil=per-worker. */
    private final List<Loop> loops = new CopyOnWriteArrayList<>();
    private final AtomicLong turn = new AtomicLong();
    private volatile PythonWorkers workers;

    /**
     * @param exposed what of the Java side of the request ({@code httpy.request()}) Python may see
     * @param timeout python.timeout, which a WebSocket's handshake keeps too
     * @param debug   python.debug: the app's traceback goes to the client with its 500
     */
    public AsgiApplication(String name, Duration lifespanTimeout, RequestContext.Settings exposed, Duration timeout,
                           boolean debug) {
        this.name = name;
        this.lifespanTimeout = lifespanTimeout;
        this.exposed = exposed;
        this.timeout = timeout;
        this.debug = debug;
    }

    /**
     * A WebSocket handshake opens a WebSocket call; any other request goes to a worker, which hands
     * it to the app's event loop, and its body, if any, is piped to the app's {@code receive()} as
     * it arrives (as WSGI's {@code wsgi.input} is).
     */
    @Override
    public void serve(Dispatcher dispatcher, HttpServletRequest request, HttpServletResponse response, String path,
                      RouteMatch.Found route, boolean hasBody) throws IOException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade")) && "GET".equals(request.getMethod())) {
            dispatcher.leave(); // a WebSocket lives on its own; a reload closes it with the old loop
            serveWebSocket(request, response, path, route);
            return;
        }
        if (!request.isAsyncSupported()) {
            dispatcher.answeredAtOnce(request, response, 500, HttpyAnswers.needsAsync());
            return;
        }
        dispatcher.started(request);
        BodyPipe pipe = hasBody ? BodyPipe.open(Exchange.SLICE) : null;
        Exchange exchange = dispatcher.startAsync(request, response, pipe == null ? null : pipe::discard);
        Loop loop = nextLoop();
        List<Object> scope = AsgiScope.of(request, path, route, exposed);
        Object body = pipe == null ? EMPTY : pipe;
        if (loop.watch != null) {
            beginDriven(dispatcher, exchange, loop, scope, body);
        } else {
            dispatcher.submit(exchange, begin(loop, scope, body));
        }
        if (pipe != null && !exchange.ended()) {
            dispatcher.pipeBody(exchange, request, pipe);
        }
    }

    /** An ASGI websocket call; without a Jakarta WebSocket container (Jetty without its module) a 501 that says so. */
    private void serveWebSocket(HttpServletRequest request, HttpServletResponse response, String path,
                                RouteMatch.Found route) throws IOException {
        if (request.getServletContext().getAttribute(WEBSOCKET_CONTAINER) == null) {
            LOG.log(System.Logger.Level.WARNING, "{0}: the container has no Jakarta WebSocket server ({1} is not set);"
                    + " on Jetty, enable the ee11-websocket-jakarta module", request.getRequestURI(), WEBSOCKET_CONTAINER);
            Dispatcher.reply(request, response, 501, "501 Not Implemented: this server has no WebSocket support");
            return;
        }
        AsgiWebSocket.serve(request, response, this, AsgiScope.webSocket(request, path, route, exposed), timeout);
    }

    @Override
    public String kind() {
        return "asgi";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void resolve(Python py) {
        py.cachedFunction(name);
    }

    /**
     * Starts an event loop for the app in {@code py}'s interpreter and runs its lifespan startup
     * there; a failed startup fails with the app's message. {@code own}: the interpreter is a
     * worker's own (python.gil=per-worker), and that worker alone carries the loop's messages;
     * otherwise it is the web app's, and any worker does.
     */
    @Override
    public String startsInPython() {
        return "the lifespan startup";
    }

    @Override
    public void startIn(Python py, boolean ownInterpreter) {
        startLoop(py, ownInterpreter);
    }

    void startLoop(Python py, boolean own) {
        String thread = "httpy-asgi-" + name + "-" + loops.size();
        Doorbell doorbell = null;
        if (!DRIVEN) {
            try {
                doorbell = Doorbell.open(thread, () -> { });
            } catch (IOException e) {
                throw new IllegalStateException("cannot open the ASGI app's doorbell pipe: " + e.getMessage(), e);
            }
        }
        PythonObject server;
        ReadyWatch watch = null;
        try {
            py.call(py.cachedFunction("_httpy:load_module"), MODULE, BundledSource.read(Python.class, MODULE + ".py"));
            server = py.callForObject(py.cachedFunction(MODULE + ":new_server"), py.cachedFunction(name),
                    (long) (doorbell == null ? -1 : doorbell.writeFd()), DRIVEN);
            try {
                py.call(py.cachedFunction(MODULE + ":start"), server, lifespanTimeout.toMillis() / 1000.0);
            } catch (PythonException e) {
                throw new IllegalArgumentException("the ASGI app's lifespan startup failed: " + e.getMessage(), e);
            }
            if (DRIVEN) {
                long selector = (Long) py.call(py.cachedFunction(MODULE + ":selector_fd"), server);
                try {
                    watch = new ReadyWatch(thread, (int) selector, () -> { });
                } catch (IOException e) {
                    py.call(py.cachedFunction(MODULE + ":stop"), server, 1.0);
                    throw new IllegalStateException("cannot watch the ASGI app's event loop: " + e.getMessage(), e);
                }
            }
        } catch (RuntimeException e) {
            if (doorbell != null) {
                doorbell.close();
            }
            throw e;
        }
        var loop = new Loop(own ? py : null, server, doorbell, watch);
        if (doorbell != null) {
            doorbell.onRing(loop::queueTrip);
        } else {
            watch.onReady(loop::queueTrip);
        }
        loops.add(loop);
    }

    /** The workers that carry requests to the loops and their messages back; before the first request. */
    @Override
    public void serveWith(PythonWorkers workers) {
        this.workers = workers;
        loops.forEach(Loop::queueTrip);
    }

    /**
     * Runs each loop's lifespan shutdown and stops it, giving open requests {@code grace} to end:
     * the web app's loop on the runtime's owner thread, a worker's loop on that worker.
     */
    @Override
    public void stop(PythonRuntime runtime, Duration grace) {
        for (Loop loop : loops) {
            loop.stopped = true;
            if (loop.watch != null) {
                // Its Python stops it next, on another thread: no trip may run the loop meanwhile.
                loop.watch.close();
                awaitNoTrip(loop, grace);
                loop.discardBegins();
            }
            Function<Python, Void> stop = py -> {
                py.call(py.cachedFunction(MODULE + ":stop"), loop.server, grace.toMillis() / 1000.0);
                py.release(loop.server);
                return null;
            };
            try {
                if (loop.home == null) {
                    runtime.withGil(stop);
                } else {
                    onWorker(loop.home, stop, grace.plusSeconds(2));
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "ASGI app {0} did not stop cleanly: {1}", name, e.getMessage());
            }
            if (loop.doorbell != null) {
                loop.doorbell.close();
            }
            if (loop.lane != null) {
                loop.lane.close(1000);
            }
        }
        loops.clear();
        calls.values().forEach(call -> call.exchange.drop(System.Logger.Level.INFO, "the web app is stopping"));
        calls.clear();
        sockets.values().forEach(socket -> socket.close(1001, "the web app is stopping"));
        sockets.clear();
        loopOf.clear();
    }

    /** Waits up to {@code limit} for a driven loop's trip under way (or queued) to end. */
    private static void awaitNoTrip(Loop loop, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (loop.trips.busy() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (loop.trips.busy()) {
            LOG.log(System.Logger.Level.WARNING, "a trip of an ASGI event loop is still under way after {0}; stopping the"
                    + " loop anyway", limit);
        }
    }

    /** Runs {@code work} on the worker that owns {@code home}, waiting at most {@code limit}. */
    private void onWorker(Python home, Function<Python, Void> work, Duration limit) {
        var task = new ResultTask<>(work, "its worker had stopped");
        if (workers == null || !workers.submit(task, home)) {
            throw new IllegalStateException("the workers are stopping");
        }
        try {
            Waits.await(task.result(), limit, "the loop's worker");
        } catch (TimeoutException e) {
            throw new IllegalStateException("its worker did not stop the loop within " + limit.toSeconds() + " s");
        }
    }

    /** The loop the next call goes to: the web app's one, or the workers' in turn. */
    private Loop nextLoop() {
        return loops.get((int) Math.floorMod(turn.getAndIncrement(), loops.size()));
    }

    /**
     * The container's side of one WebSocket call. The handshake methods ({@link #accept}, a
     * {@link #close} or {@link #failed} before it) answer the container thread that waits with the
     * upgrade request; the rest act on the open connection. Called on the worker that carried
     * the events out, in the app's order, one at a time.
     */
    public interface Socket {
        /** The app accepted: upgrade, with its subprotocol (or null) and extra headers (names and values alternating). */
        void accept(String subprotocol, List<String> headers);

        /** A message out: a String goes as text, a byte[] as binary; tell {@link #sent} once it is written. */
        void send(Object message);

        /** The app closed: refuse the handshake (403) before accept, close the connection after. */
        void close(int code, String reason);

        /** The app raised or broke the protocol: 500 before accept, close 1011 after; the log says why. */
        void failed(String summary, String traceback);
    }

    /**
     * Starts the app on a WebSocket handshake; its scope's parts in {@code _httpy_asgi.begin_websocket}'s
     * order. Returns the call's id, or -1 when the Python queue is full (then nothing started).
     */
    public long openWebSocket(List<Object> scope, Socket socket) {
        long id = ids.incrementAndGet();
        Loop loop = nextLoop();
        sockets.put(id, socket);
        loopOf.put(id, loop);
        if (loop.watch != null) {
            loop.waiting.incrementAndGet();
            loop.begin("websocket", id, scope, null);
            return id;
        }
        var task = new PythonTask() {
            @Override
            public Runnable runWithGil(Python py) {
                List<Object> args = new ArrayList<>(scope.size() + 2);
                args.add(loop.server);
                args.add(id);
                args.addAll(scope);
                try {
                    py.call(py.cachedFunction(MODULE + ":begin_websocket"), args.toArray());
                    return null;
                } catch (PythonException e) {
                    forgetSocket(id);
                    return () -> socket.failed(e.getMessage(), e.pythonTraceback());
                }
            }

            @Override
            public void abandon() {
                if (forgetSocket(id)) {
                    socket.failed("the Python workers stopped before the app could start", "");
                }
            }
        };
        if (!(loop.home == null ? workers.submit(task) : workers.submit(task, loop.home))) {
            forgetSocket(id);
            return -1;
        }
        return id;
    }

    private boolean forgetSocket(long id) {
        loopOf.remove(id);
        return sockets.remove(id) != null;
    }

    private void forgetCall(long id) {
        loopOf.remove(id);
        calls.remove(id);
    }

    /** A whole message from the client of WebSocket call {@code id}: a String (text) or a byte[] (binary). */
    public void webSocketReceived(long id, Object message) {
        if (loopOf.get(id) instanceof Loop loop) {
            loop.received.add(List.of(id, message instanceof String ? "text" : "bytes", message));
            loop.queueTrip();
        }
    }

    /** Call {@code id}'s connection closed (the client's close, or the connection's end): the app hears websocket.disconnect. */
    public void webSocketClosed(long id, int code, String reason) {
        Loop loop = loopOf.get(id);
        if (forgetSocket(id) && loop != null) {
            loop.received.add(List.of(id, "closed", (long) code, reason == null ? "" : reason));
            loop.queueTrip();
        }
    }

    /** The last message the app sent on call {@code id} is written: its send() returns. */
    public void webSocketSent(long id) {
        if (loopOf.get(id) instanceof Loop loop) {
            loop.accepted.add(id);
            loop.queueTrip();
        }
    }

    /** python.timeout passed before the app accepted or refused call {@code id}: its task is cancelled. */
    public void webSocketOverran(long id) {
        Loop loop = loopOf.get(id);
        if (forgetSocket(id) && loop != null) {
            loop.overran.add(id);
            loop.queueTrip();
        }
    }

    /**
     * One request, its scope's parts in {@code _httpy_asgi.begin}'s order and its body: a whole
     * {@code byte[]}, or a {@link BodyPipe} the body arrives through (its read end goes to Python).
     */
    PythonCall begin(Loop loop, List<Object> scope, Object body) {
        var context = contextOf(scope);
        PythonCall call = (py, exchange) -> {
            long id = ids.incrementAndGet();
            var request = new Call(id, exchange, loop, context);
            calls.put(id, request);
            loopOf.put(id, loop);
            exchange.inFlight(request::overran);
            List<Object> args = new ArrayList<>(scope.size() + 3);
            args.add(loop.server);
            args.add(id);
            args.addAll(scope);
            args.add(body instanceof BodyPipe pipe ? (Object) (long) pipe.takeReadFd() : body);
            long since = exchange.pythonWaitSince();
            exchange.pythonRunsHere();
            try {
                py.call(py.cachedFunction(MODULE + ":begin"), args.toArray());
            } catch (RuntimeException e) {
                forgetCall(id);
                throw e;
            }
            // The worker's trip ends here, the app's work does not: python.timeout runs on until it answers.
            return () -> request.timeFrom(since);
        };
        return new PythonCall.Parts(call, body instanceof BodyPipe pipe ? pipe::discard : () -> { }, loop.home);
    }

    /** The filter's CallContext, which rides in the extensions (the scope's last part); Python never sees it. */
    private static CallContext contextOf(List<Object> scope) {
        return scope.getLast() instanceof Map<?, ?> extensions ? (CallContext) extensions.remove(CONTEXT) : null;
    }

    /**
     * One request to a driven loop: no worker task of its own; the loop's next trip begins it and
     * runs the loop, and for an app that answers without waiting, brings the answer back with it.
     * python.timeout runs from now; python.queue bounds the requests waiting for a trip.
     */
    private void beginDriven(Dispatcher dispatcher, Exchange exchange, Loop loop, List<Object> scope, Object body) {
        if (loop.waiting.incrementAndGet() > workers.queueCapacity()) {
            loop.waiting.decrementAndGet();
            if (body instanceof BodyPipe pipe) {
                pipe.discard();
            }
            dispatcher.refuseBusy(exchange);
            return;
        }
        long id = ids.incrementAndGet();
        var request = new Call(id, exchange, loop, contextOf(scope));
        calls.put(id, request);
        loopOf.put(id, loop);
        exchange.inFlight(request::overran);
        exchange.pythonWaitBegins();
        loop.begin("http", id, scope, body);
    }

    /** python.timeout passed before the answer began: the app's task is cancelled. */
    void overran(Call call) {
        forgetCall(call.id);
        call.loop.overran.add(call.id);
        call.loop.queueTrip();
    }

    /**
     * One event loop: the app's server in one interpreter, and what Java has to tell it on the
     * next trip. A driven loop ({@link #watch} set) runs on the trips themselves; the watch rings
     * for a trip when I/O the loop waits for is ready or its next timer is due. A loop on its own
     * thread rings its {@link #doorbell} when it has messages.
     */
    private final class Loop {
        /** The worker's own interpreter that runs this loop, or null for the web app's (any worker). */
        final Python home;
        final PythonObject server;
        final Doorbell doorbell;
        final ReadyWatch watch;
        /** Driven: where the trips' messages go out, in order, beside the next trip. */
        final Lane lane;
        final ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> gone = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> overran = new ConcurrentLinkedQueue<>();
        /** What WebSocket clients sent, in order: [id, "text", String], [id, "bytes", byte[]], [id, "closed", code, reason]. */
        final ConcurrentLinkedQueue<List<Object>> received = new ConcurrentLinkedQueue<>();
        /** Driven: calls to begin on the next trip, ["http" or "websocket", id, scope..., body for http]. */
        final ConcurrentLinkedQueue<List<Object>> begins = new ConcurrentLinkedQueue<>();
        /** Driven: calls waiting in {@link #begins}, against python.queue. */
        final AtomicInteger waiting = new AtomicInteger();
        /** One trip at a time, each carrying everything waiting when it takes the messages. */
        final Trips trips = new Trips(this::submitTrip);
        /** No more trips: the app is stopping. */
        volatile boolean stopped;

        Loop(Python home, PythonObject server, Doorbell doorbell, ReadyWatch watch) {
            this.home = home;
            this.server = server;
            this.doorbell = doorbell;
            this.watch = watch;
            this.lane = watch == null ? null
                    : new Lane("httpy-asgi-" + name + "-" + loops.size() + "-answers", AsgiApplication.this::deliverAll);
        }

        /** Makes sure a worker trip will carry what waits, in either direction ({@link Trips}). */
        void queueTrip() {
            trips.ring();
        }

        /** Queues one trip; false when it could not (before serveWith, stopping, or the queue is full). */
        private boolean submitTrip() {
            if (workers == null || stopped) {
                return false; // rang before serveWith: that carries it
            }
            if (watch != null) {
                // A trip continues requests already accepted: never refused for a full queue.
                return workers.submit(new DrivenTrip(this), home);
            }
            var trip = new PythonTask() {
                @Override
                public Runnable runWithGil(Python py) {
                    List<?> messages;
                    try {
                        messages = (List<?>) py.call(py.cachedFunction(MODULE + ":exchange"), server, drain(accepted),
                                drain(gone), drain(overran), drain(received));
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "ASGI app " + name + ": taking its messages failed", e);
                        return trips::done;
                    }
                    return () -> {
                        try {
                            deliverAll(messages);
                        } finally {
                            trips.done();
                        }
                    };
                }

                @Override
                public void abandon() {
                    trips.abandoned();
                }
            };
            if (!(home == null ? workers.submit(trip) : workers.submit(trip, home))) {
                LOG.log(System.Logger.Level.WARNING, "ASGI app {0}: the Python queue is full; its messages wait for the"
                        + " next ring", name);
                return false;
            }
            return true;
        }

        /**
         * Queues call {@code id} for the next trip to begin ({@code kind} "http", with its body, or
         * "websocket", with none) and makes sure a trip comes; counted in {@link #waiting} already.
         */
        void begin(String kind, long id, List<Object> scope, Object body) {
            List<Object> begin = new ArrayList<>(scope.size() + 3);
            begin.add(kind);
            begin.add(id);
            begin.addAll(scope);
            if (body != null) {
                begin.add(body);
            }
            begins.add(begin);
            queueTrip();
        }

        /** The calls to begin now: those still wanted (not timed out or gone meanwhile), their body pipes' read ends taken. */
        List<List<Object>> takeBegins() {
            List<List<Object>> taken = new ArrayList<>();
            for (List<Object> begin = begins.poll(); begin != null; begin = begins.poll()) {
                waiting.decrementAndGet();
                long id = (Long) begin.get(1);
                if (!loopOf.containsKey(id)) {
                    if (begin.getLast() instanceof BodyPipe pipe) {
                        pipe.discard();
                    }
                    continue; // python.timeout or the client ended it before it began
                }
                if (calls.get(id) instanceof Call call) {
                    call.exchange.pythonRunsHere();
                }
                if (begin.getLast() instanceof BodyPipe pipe) {
                    try {
                        begin.set(begin.size() - 1, (long) pipe.takeReadFd());
                    } catch (IllegalStateException discarded) {
                        continue; // its exchange ended this moment (python.timeout, client gone) and closed it
                    }
                }
                taken.add(begin);
            }
            return taken;
        }

        /** Whether Java has something for the loop: a call to begin, or news of one under way. */
        boolean hasWork() {
            return !begins.isEmpty() || !accepted.isEmpty() || !gone.isEmpty() || !overran.isEmpty()
                    || !received.isEmpty();
        }

        /** After stopping: the calls never begun free their body pipes. */
        void discardBegins() {
            for (List<Object> begin = begins.poll(); begin != null; begin = begins.poll()) {
                waiting.decrementAndGet();
                if (begin.getLast() instanceof BodyPipe pipe) {
                    pipe.discard();
                }
            }
        }
    }

    /**
     * A driven loop's trip: begins the calls waiting, tells the loop what Java has for it, runs it
     * until nothing is ready, and takes every message it made; once the GIL is let go, delivers
     * them and watches the loop again, or queues the next trip at once when it still has work.
     */
    private final class DrivenTrip implements PythonTask {
        /** Trips one task runs back to back at most, so that other work on the workers gets its turn. */
        private static final int MAX_ROUNDS = 16;
        private final Loop loop;

        DrivenTrip(Loop loop) {
            this.loop = loop;
        }

        @Override
        public Runnable runWithGil(Python py) {
            for (int round = 1; ; round++) {
                if (loop.stopped) {
                    return loop.trips::done;
                }
                List<?> messages;
                double wake;
                try {
                    var result = (List<?>) py.call(py.cachedFunction(MODULE + ":trip"), loop.server, loop.takeBegins(),
                            drain(loop.accepted), drain(loop.gone), drain(loop.overran), drain(loop.received));
                    messages = (List<?>) result.get(0);
                    wake = (Double) result.get(1);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "ASGI app " + name + ": a trip of its event loop failed", e);
                    return () -> {
                        loop.trips.done();
                        loop.watch.arm(ReadyWatch.NEVER);
                    };
                }
                // The lane writes the answers meanwhile, in the trips' order.
                loop.lane.add(messages);
                if (round < MAX_ROUNDS && (wake == 0 || loop.hasWork())) {
                    continue; // more came meanwhile: go on here rather than wake another worker
                }
                return () -> {
                    loop.trips.done();
                    if (wake == 0) {
                        loop.queueTrip();
                    } else {
                        loop.watch.arm(wake < 0 ? ReadyWatch.NEVER : (long) (wake * 1e9));
                    }
                };
            }
        }

        @Override
        public void abandon() {
            loop.trips.abandoned();
        }
    }

    private void deliverAll(List<?> messages) {
        for (Object message : messages) {
            try {
                deliver((List<?>) message);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "ASGI app " + name + ": delivering " + message + " failed", e);
            }
        }
    }

    private static <T> List<T> drain(ConcurrentLinkedQueue<T> queue) {
        List<T> items = new ArrayList<>();
        for (T item = queue.poll(); item != null; item = queue.poll()) {
            items.add(item);
        }
        return items;
    }

    /** One message from the app, as {@code _httpy_asgi} queued it: [id, kind, ...]. */
    private void deliver(List<?> message) {
        long id = (Long) message.get(0);
        Call call = calls.get(id);
        if (call == null) {
            Socket socket = sockets.get(id);
            if (socket != null) {
                deliver(id, socket, message);
                return;
            }
            return; // the client went away or it timed out: Python was told, nobody listens
        }
        switch ((String) message.get(1)) {
            case "start" -> {
                // Python's session writes come with the start, before the headers go out (a new session's cookie).
                if (message.size() > 4 && call.context != null) {
                    Runnable left = call.context.writeSession(message.get(4), name);
                    if (left != null) {
                        left.run(); // no GIL here
                    }
                }
                call.start(((Long) message.get(2)).intValue(), headers((List<?>) message.get(3)));
            }
            case "body" -> call.body((byte[]) message.get(2), Boolean.TRUE.equals(message.get(3)));
            case "end" -> forgetCall(id);
            case "error" -> {
                forgetCall(id);
                call.failed((String) message.get(2), (String) message.get(3));
            }
            default -> LOG.log(System.Logger.Level.ERROR, "unknown ASGI message {0}", message);
        }
    }

    /** One message from the app on a WebSocket call. */
    private void deliver(long id, Socket socket, List<?> message) {
        switch ((String) message.get(1)) {
            case "accept" -> socket.accept((String) message.get(2), headers((List<?>) message.get(3)));
            case "send" -> socket.send(message.get(2));
            case "close" -> socket.close(((Long) message.get(2)).intValue(), (String) message.get(3));
            case "end" -> forgetSocket(id);
            case "error" -> {
                forgetSocket(id);
                socket.failed((String) message.get(2), (String) message.get(3));
            }
            default -> LOG.log(System.Logger.Level.ERROR, "unknown ASGI WebSocket message {0}", message);
        }
    }

    /** ASGI's [name, value] byte pairs as names and values alternating (bytes as Latin-1, as HTTP has them). */
    private static List<String> headers(List<?> pairs) {
        List<String> headers = new ArrayList<>(pairs.size() * 2);
        for (Object pair : pairs) {
            var nameAndValue = (List<?>) pair;
            headers.add(new String((byte[]) nameAndValue.get(0), StandardCharsets.ISO_8859_1));
            headers.add(new String((byte[]) nameAndValue.get(1), StandardCharsets.ISO_8859_1));
        }
        return headers;
    }

    /** One request in flight: its answer as the app sends it, chunk by chunk under backpressure. */
    final class Call implements Exchange.ChunkSource {
        private final long id;
        private final Exchange exchange;
        private final Loop loop;
        /** Where the app's session writes go, or null. */
        private final CallContext context;
        private int status;
        private List<String> headers;
        private boolean begun;
        /** A chunk that arrived before the client took the last, and whether it ends the answer. */
        private byte[] waiting;
        private boolean waitingLast;
        private boolean wanted;

        Call(long id, Exchange exchange, Loop loop, CallContext context) {
            this.context = context;
            this.id = id;
            this.exchange = exchange;
            this.loop = loop;
        }

        /** Keeps python.timeout running from {@code since} while the app has not begun its answer. */
        synchronized void timeFrom(long since) {
            if (!begun) {
                exchange.pythonWaitSince(since);
            }
        }

        synchronized void start(int status, List<String> headers) {
            this.status = status;
            this.headers = headers;
        }

        void body(byte[] chunk, boolean more) {
            boolean first;
            synchronized (this) {
                first = !begun;
                begun = true;
                exchange.pythonWaitEnds();
                if (!first) {
                    if (wanted) {
                        wanted = false;
                    } else {
                        waiting = chunk;
                        waitingLast = !more;
                        return;
                    }
                }
            }
            if (!first) {
                exchange.offer(chunk, !more);
            } else if (exchange.claim()) {
                exchange.begin(status, headers, chunk, !more, more ? this : null);
            } else {
                requestGone();
            }
        }

        void failed(String summary, String traceback) {
            boolean started;
            synchronized (this) {
                started = begun;
            }
            if (exchange.ended()) {
                // Starlette answers 500 itself, then raises for the server to log: as uvicorn does, say so.
                LOG.log(System.Logger.Level.WARNING, "ASGI app {0} raised after its response was sent: {1}\n{2}", name,
                        summary, traceback);
            } else if (started) {
                exchange.drop(System.Logger.Level.WARNING, "ASGI app " + name + " failed after its response had"
                        + " started; the response is cut short: " + summary + "\n" + traceback);
            } else {
                exchange.answerText(500, HttpyAnswers.internalError(debug, summary + "\n" + traceback),
                        System.Logger.Level.WARNING, name + " raised " + summary + "\n" + traceback);
            }
        }

        /** The client took the last chunk: the app's send() of it may return, and its next goes out at once. */
        @Override
        public void requestNext() {
            byte[] next;
            boolean last;
            synchronized (this) {
                next = waiting;
                last = waitingLast;
                waiting = null;
                wanted = next == null;
            }
            loop.accepted.add(id);
            loop.queueTrip();
            if (next != null) {
                exchange.offer(next, last);
            }
        }

        /** The client went away or the answer was cut: the app's receive() gets http.disconnect. */
        @Override
        public void cancel() {
            requestGone();
        }

        private void requestGone() {
            if (calls.remove(id) != null) {
                loopOf.remove(id);
                loop.gone.add(id);
                loop.queueTrip();
            }
        }

        void overran() {
            AsgiApplication.this.overran(this);
        }
    }
}
