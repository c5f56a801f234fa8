package dev.httpy.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request body read as it arrives, never waiting for the client: handed on whole once complete,
 * counted against python.max-body byte for byte whatever its chunks (a chunked body declares no
 * length), and its stall clock running only while the client owes bytes.
 */
class BodyReaderTest {
    private static final long MAX = 1024;

    private final FakeServlet servlet = new FakeServlet(1 << 20);
    private final FakeServlet.Input in = new FakeServlet.Input();
    private final AtomicReference<byte[]> whole = new AtomicReference<>();

    private Exchange collect(long declared) throws Exception {
        var exchange = Exchange.async("POST", "/b", servlet.response, servlet.async, () -> { });
        BodyReader.collect(exchange, in, declared, MAX, whole::set);
        return exchange;
    }

    private static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) c);
        return b;
    }

    @Test
    void aBodyInPiecesIsHandedOnWholeWhenItEnds() throws Exception {
        var exchange = collect(-1);
        assertTrue(exchange.bodyWaitSince != 0, "the stall clock runs while the client owes the body");
        in.clientSends("hello ".getBytes(StandardCharsets.UTF_8));
        in.clientSends("chunked ".getBytes(StandardCharsets.UTF_8));
        assertNull(whole.get());
        in.clientSends("world".getBytes(StandardCharsets.UTF_8));
        in.clientEnds();

        assertEquals("hello chunked world", new String(whole.get(), StandardCharsets.UTF_8));
        assertEquals(0, exchange.bodyWaitSince, "no stall clock once the body is in");
    }

    @Test
    void aChunkedBodyOfExactlyMaxBodyArrives() throws Exception {
        collect(-1);
        in.clientSends(filled(1000, 'a'));
        in.clientSends(filled((int) MAX - 1000, 'b'));
        in.clientEnds();

        assertEquals(MAX, whole.get().length);
        assertEquals(200, servlet.status);
    }

    @Test
    void oneByteOverMaxBodyGets413AndIsNotHandedOn() throws Exception {
        var exchange = collect(-1);
        in.clientSends(filled((int) MAX, 'a'));
        in.clientSends(filled(1, 'b'));

        assertEquals(413, servlet.status);
        assertTrue(servlet.out.written.toString(StandardCharsets.UTF_8).contains("python.max-body"));
        assertNull(whole.get());
        assertEquals(0, exchange.bodyWaitSince, "no 408 for a body already refused");
    }

    @Test
    void aDeclaredLengthSizesTheBufferButTheBytesDecide() throws Exception {
        collect(10);
        byte[] body = "0123456789abcdef".getBytes(StandardCharsets.UTF_8); // more than declared, under the max
        in.clientSends(body);
        in.clientEnds();

        assertArrayEquals(body, whole.get());
    }

    @Test
    void anEmptyChunkedBodyIsAnEmptyBody() throws Exception {
        collect(-1);
        in.clientEnds();

        assertEquals(0, whole.get().length);
    }
}
