package dev.httpy.asgi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.httpy.dispatch.Dispatcher;
import dev.httpy.dispatch.HttpyAnswers;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * One ASGI WebSocket call on the container's side, through Jakarta WebSocket's standard upgrade
 * ({@link ServerContainer#upgradeHttpToWebSocket}, 2.1+: Tomcat 11, Jetty 12 with ee11-websocket-jakarta).
 *
 * <p>The container thread that received the upgrade request waits, at most python.timeout, for
 * the app's answer to {@code websocket.connect}: an accept upgrades (with the app's subprotocol
 * and headers), a close answers 403 as the ASGI spec says, a failure 500, no answer 504. Waiting
 * there, rather than going async, keeps the upgrade where both containers support it, on the
 * request's own thread before the filter returns; a handshake is short, and the open connection
 * holds no thread at all.
 *
 * <p>Then each whole message from the client goes to the app with the next trip into Python, and
 * each message from the app goes out with {@code getAsyncRemote()}: the app's {@code send()}
 * returns once it is written, so at most one send per connection is under way, as Jakarta
 * WebSocket requires, and a slow client holds back the app, not memory.
 *
 * <p>Only the filter's WebSocket branch loads this class, so a container without
 * {@code jakarta.websocket} still serves HTTP.
 */
final class AsgiWebSocket implements AsgiApplication.Socket {
    private static final System.Logger LOG = System.getLogger(AsgiWebSocket.class.getName());

    /** How the app answered {@code websocket.connect}. */
    sealed interface Decision {
        record Accept(String subprotocol, List<String> headers) implements Decision {
        }

        record Refuse(int code, String reason) implements Decision {
        }

        record Fail(String summary, String traceback) implements Decision {
        }
    }

    private final AsgiApplication app;
    private final String target;
    private final CompletableFuture<Decision> decision = new CompletableFuture<>();
    private volatile long id;
    // Guarded by this: the open session, and what the app sent before the container opened it.
    private Session session;
    private final List<Runnable> beforeOpen = new ArrayList<>();
    private boolean appClosed;

    AsgiWebSocket(AsgiApplication app, String target) {
        this.app = app;
        this.target = target;
    }

    /**
     * Serves one upgrade request on an ASGI route, on its container thread.
     *
     * @param scope the scope's parts in {@code _httpy_asgi.begin_websocket}'s order
     */
    static void serve(HttpServletRequest request, HttpServletResponse response, AsgiApplication app, List<Object> scope,
                      Duration timeout) throws IOException {
        var container = (ServerContainer) request.getServletContext().getAttribute(ServerContainer.class.getName());
        var socket = new AsgiWebSocket(app, "GET " + request.getRequestURI());
        long id = app.openWebSocket(scope, socket);
        if (id < 0) {
            response.setHeader("Retry-After", "1");
            Dispatcher.reply(request, response, 503, HttpyAnswers.busy());
            return;
        }
        socket.id = id;
        Decision answer;
        try {
            answer = socket.decision.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            app.webSocketOverran(id);
            LOG.log(System.Logger.Level.WARNING, "{0}: ASGI app {1} neither accepted nor closed the WebSocket within"
                    + " python.timeout ({2} s); its task is cancelled", socket.target, app.name(), timeout.toMillis() / 1000.0);
            Dispatcher.reply(request, response, 504, HttpyAnswers.timedOut("app"));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            app.webSocketOverran(id);
            Dispatcher.reply(request, response, 503, HttpyAnswers.stopping("the server"));
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        }
        if (answer instanceof Decision.Accept accept) {
            socket.upgrade(container, request, response, accept);
            return;
        }
        if (answer instanceof Decision.Fail fail) {
            LOG.log(System.Logger.Level.WARNING, "{0}: ASGI app {1} failed before accepting the WebSocket: {2}\n{3}",
                    socket.target, app.name(), fail.summary(), fail.traceback());
        }
        Reply reply = handshakeReply(answer);
        Dispatcher.reply(request, response, reply.status(), reply.text());
    }

    /** httpy's answer to an upgrade request, instead of the upgrade. */
    record Reply(int status, String text) {
    }

    /**
     * The answer to a handshake the app did not accept: 403 naming its close code (as the ASGI
     * spec says) or 500 for its failure; null for an accept, which upgrades.
     */
    static Reply handshakeReply(Decision answer) {
        return switch (answer) {
            case Decision.Refuse refuse -> new Reply(403, "403 Forbidden: the app refused the WebSocket (close code "
                    + refuse.code() + ")");
            case Decision.Fail fail -> new Reply(500, "500 Internal Server Error");
            case Decision.Accept accept -> null;
        };
    }

    /** How the app answered {@code websocket.connect} so far; null while it has not. */
    Decision decision() {
        return decision.getNow(null);
    }

    private void upgrade(ServerContainer container, HttpServletRequest request, HttpServletResponse response,
                         Decision.Accept accept) throws IOException {
        var connection = new Connection(this);
        var config = ServerEndpointConfig.Builder.create(Connection.class, "/")
                .subprotocols(accept.subprotocol() == null ? List.of() : List.of(accept.subprotocol()))
                .configurator(new Handshake(connection, accept))
                .build();
        String failure;
        try {
            container.upgradeHttpToWebSocket(request, response, config, Map.of());
            // Tomcat answers a malformed handshake (no Sec-WebSocket-Key, another version) itself.
            failure = response.getStatus() >= 400 ? "the container answered " + response.getStatus() : null;
        } catch (DeploymentException | IOException | RuntimeException e) {
            failure = e.toString();
        }
        if (failure != null) {
            LOG.log(System.Logger.Level.INFO, "{0}: the WebSocket upgrade failed: {1}", target, failure);
            app.webSocketClosed(id, CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode(), "");
            if (!response.isCommitted()) {
                Dispatcher.reply(request, response, 400, "400 Bad Request: not a valid WebSocket handshake");
            }
        }
    }

    // ---- the app's side, on the worker that carried its events out ----

    @Override
    public void accept(String subprotocol, List<String> headers) {
        decision.complete(new Decision.Accept(subprotocol, headers));
    }

    @Override
    public void send(Object message) {
        Session open;
        synchronized (this) {
            if (session == null) {
                beforeOpen.add(() -> send(message));
                return;
            }
            open = session;
        }
        SendHandler written = result -> app.webSocketSent(id); // a failed send: the close follows
        try {
            if (message instanceof String text) {
                open.getAsyncRemote().sendText(text, written);
            } else {
                open.getAsyncRemote().sendBinary(ByteBuffer.wrap((byte[]) message), written);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: a WebSocket send failed: {1}", target, e);
            app.webSocketSent(id);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (decision.complete(new Decision.Refuse(code, reason))) {
            return;
        }
        Session open;
        synchronized (this) {
            appClosed = true;
            if (session == null) {
                beforeOpen.add(() -> closeSession(code, reason));
                return;
            }
            open = session;
        }
        closeSession(open, code, reason);
    }

    private void closeSession(int code, String reason) {
        Session open;
        synchronized (this) {
            open = session;
        }
        closeSession(open, code, reason);
    }

    private void closeSession(Session open, int code, String reason) {
        try {
            open.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: closing the WebSocket failed: {1}", target, e);
        }
    }

    @Override
    public void failed(String summary, String traceback) {
        if (decision.complete(new Decision.Fail(summary, traceback))) {
            return;
        }
        boolean closed;
        synchronized (this) {
            closed = appClosed;
        }
        if (closed) {
            LOG.log(System.Logger.Level.WARNING, "ASGI app {0} raised after it closed the WebSocket {1}: {2}\n{3}",
                    app.name(), target, summary, traceback);
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "ASGI app {0} failed on the WebSocket {1}, which is closed with 1011: {2}\n{3}",
                app.name(), target, summary, traceback);
        close(CloseReason.CloseCodes.UNEXPECTED_CONDITION.getCode(), "Internal Server Error");
    }

    // ---- the container's side ----

    /** The container opened the connection: what the app sent or closed meanwhile goes out now. */
    void opened(Session open) {
        List<Runnable> waiting;
        synchronized (this) {
            session = open;
            waiting = List.copyOf(beforeOpen);
            beforeOpen.clear();
        }
        waiting.forEach(Runnable::run);
    }

    /** The handshake as the app decided it: its subprotocol, its headers, and this call's endpoint. */
    private static final class Handshake extends ServerEndpointConfig.Configurator {
        private final Connection connection;
        private final Decision.Accept accept;

        Handshake(Connection connection, Decision.Accept accept) {
            this.connection = connection;
            this.accept = accept;
        }

        @Override
        public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
            return accept.subprotocol() == null ? "" : accept.subprotocol();
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
            super.modifyHandshake(config, request, response);
            List<String> headers = accept.headers();
            for (int i = 0; i < headers.size(); i += 2) {
                List<String> values = new ArrayList<>(response.getHeaders().getOrDefault(headers.get(i), List.of()));
                values.add(headers.get(i + 1));
                response.getHeaders().put(headers.get(i), values);
            }
        }

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            return endpointClass.cast(connection);
        }
    }

    /**
     * The open connection: whole messages in, the close's code to the app. The largest message
     * and the idle timeout are the container's settings: Tomcat allocates a session's buffers at
     * their full size, so a generous default here would cost every connection that much, and
     * without pings of our own the idle timeout is what ends a connection whose client vanished. Public because Jetty refuses
     * an endpoint class that is not, though it never makes one itself.
     */
    public static final class Connection extends Endpoint {
        private final AsgiWebSocket socket;

        Connection(AsgiWebSocket socket) {
            this.socket = socket;
        }

        @Override
        public void onOpen(Session session, EndpointConfig config) {
            session.addMessageHandler(String.class,
                    (MessageHandler.Whole<String>) text -> socket.app.webSocketReceived(socket.id, text));
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) buffer -> {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                socket.app.webSocketReceived(socket.id, bytes);
            });
            socket.opened(session);
        }

        @Override
        public void onClose(Session session, CloseReason reason) {
            socket.app.webSocketClosed(socket.id, reason.getCloseCode().getCode(), reason.getReasonPhrase());
        }

        @Override
        public void onError(Session session, Throwable error) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: WebSocket error: {1}", socket.target, error);
        }
    }
}
