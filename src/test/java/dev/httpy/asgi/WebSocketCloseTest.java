package dev.httpy.asgi;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the client of an ASGI WebSocket gets as the app answers: before it accepts, a close is a 403
 * naming the code and a failure a 500; once open, the app's own close code and reason, 1011 when
 * it raises, and nothing more once it has closed. A close the app sends before the container has
 * opened the connection goes out when it opens.
 */
class WebSocketCloseTest {
    private final AsgiApplication app = new AsgiApplication("app:main", Duration.ofSeconds(1), null, Duration.ofSeconds(1),
            false);
    private final AsgiWebSocket socket = new AsgiWebSocket(app, "GET /ws");
    /** The closes the container was asked for, as "code reason". */
    private final List<String> closes = new ArrayList<>();
    private final Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                case "close" -> {
                    var reason = (CloseReason) args[0];
                    closes.add(reason.getCloseCode().getCode() + " " + reason.getReasonPhrase());
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> null;
            });

    private void acceptedAndOpen() {
        socket.accept(null, List.of());
        socket.opened(session);
    }

    @Test
    void anAppThatClosesBeforeAcceptingRefusesTheHandshakeWith403NamingItsCode() {
        socket.close(4003, "not you");

        var reply = AsgiWebSocket.handshakeReply(socket.decision());
        assertEquals(403, reply.status());
        assertEquals("403 Forbidden: the app refused the WebSocket (close code 4003)", reply.text());
        assertTrue(closes.isEmpty(), "no connection to close");
    }

    @Test
    void anAppThatRaisesBeforeAcceptingGets500() {
        socket.failed("RuntimeError: no", "Traceback ...");

        var reply = AsgiWebSocket.handshakeReply(socket.decision());
        assertEquals(500, reply.status());
        assertEquals("500 Internal Server Error", reply.text(), "the traceback goes to the log, not the client");
    }

    @Test
    void anAcceptUpgradesAndTheLaterCloseIsTheAppsOwn() {
        acceptedAndOpen();
        assertNull(AsgiWebSocket.handshakeReply(socket.decision()), "an accept upgrades");

        socket.close(4000, "bye");
        socket.failed("RuntimeError: after its close", "Traceback ...");

        assertEquals(List.of("4000 bye"), closes, "a failure after the app closed changes nothing");
    }

    @Test
    void anAppThatRaisesOnAnOpenConnectionClosesItWith1011() {
        acceptedAndOpen();

        socket.failed("RuntimeError: boom", "Traceback ...");

        assertEquals(List.of("1011 Internal Server Error"), closes);
    }

    @Test
    void aCloseBeforeTheContainerOpenedTheConnectionGoesOutWhenItOpens() {
        socket.accept("chat", List.of());
        socket.close(1000, "done");
        assertTrue(closes.isEmpty());

        socket.opened(session);

        assertEquals(List.of("1000 done"), closes);
    }
}
