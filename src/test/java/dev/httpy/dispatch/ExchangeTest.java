package dev.httpy.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpy.python.PythonResponse;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The asynchronous answer writer against a client that takes only so much at a time: it writes
 * what the client has room for and no more, resumes when the container says it may, asks a stream
 * for its next chunk only once the last is out, and ends exactly once whichever way it ends.
 */
class ExchangeTest {
    private final AtomicInteger ends = new AtomicInteger();

    private Exchange exchange(FakeServlet servlet) throws Exception {
        return Exchange.async("GET", "/t", servlet.response, servlet.async, ends::incrementAndGet);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31);
        }
        return b;
    }

    /** A stream's Python side: chunks it is asked for, and whether it was told to stop. */
    private static final class Source implements Exchange.ChunkSource {
        int asked;
        int cancelled;

        @Override
        public void requestNext() {
            asked++;
        }

        @Override
        public void cancel() {
            cancelled++;
        }
    }

    @Test
    void aWholeAnswerGoesOutAsTheClientTakesItAndEndsOnce() throws Exception {
        var servlet = new FakeServlet(Exchange.SLICE);
        var exchange = exchange(servlet);
        byte[] body = bytes(3 * Exchange.SLICE + 123);

        exchange.answer(new PythonResponse(200, List.of("Content-Type", "application/octet-stream"), body));

        assertEquals(Exchange.SLICE, servlet.out.written.size(), "wrote past what the client had room for");
        assertTrue(exchange.writeStalledSince != 0, "a client that takes nothing now is a write stall");
        assertEquals(0, servlet.completions);
        assertEquals(String.valueOf(body.length), servlet.header("Content-Length"));
        for (int i = 0; i < 3; i++) {
            servlet.out.clientReads(Exchange.SLICE);
        }
        assertArrayEquals(body, servlet.out.written.toByteArray());
        assertEquals(0, exchange.writeStalledSince, "the stall clock stops once the client took it all");
        assertEquals(1, servlet.completions);
        assertEquals(1, ends.get());
        servlet.out.clientReads(1); // a late callback changes nothing
        assertEquals(1, servlet.completions);
        assertEquals(1, ends.get());
    }

    @Test
    void aStreamIsAskedForItsNextChunkOnlyOnceTheLastOneIsOut() throws Exception {
        var servlet = new FakeServlet(10);
        var exchange = exchange(servlet);
        var source = new Source();
        assertTrue(exchange.claim());

        exchange.begin(200, List.of("Content-Type", "text/plain"), "first chunk".getBytes(StandardCharsets.UTF_8), false, source);

        assertEquals(0, source.asked, "asked for more while the first chunk was not out");
        assertEquals(null, servlet.header("Content-Length"), "a stream has no length up front");
        servlet.out.clientReads(100);
        assertEquals(1, source.asked);
        assertTrue(servlet.out.flushes > 0, "a chunk is flushed so the client sees it as it is made");
        exchange.offer("second".getBytes(StandardCharsets.UTF_8), false);
        assertEquals(2, source.asked);
        exchange.offer("last".getBytes(StandardCharsets.UTF_8), true);
        assertEquals("first chunksecondlast", servlet.out.written.toString(StandardCharsets.UTF_8));
        assertEquals(2, source.asked, "nothing is asked after the last chunk");
        assertEquals(1, servlet.completions);
        assertEquals(0, source.cancelled);
    }

    @Test
    void aClientThatStopsReadingIsDroppedAndItsStreamCancelledOnce() throws Exception {
        var servlet = new FakeServlet(4);
        var exchange = exchange(servlet);
        var source = new Source();
        exchange.claim();
        exchange.begin(200, List.of(), bytes(100), false, source);
        assertTrue(exchange.writeStalledSince != 0);

        exchange.drop(System.Logger.Level.DEBUG, "the client accepted none of its answer (test)");
        exchange.drop(System.Logger.Level.DEBUG, "again");
        exchange.offer(bytes(10), true);

        assertEquals(1, source.cancelled, "the Python side must be told to stop exactly once");
        assertEquals(1, servlet.completions);
        assertEquals(1, ends.get());
        // The container took the first write whole while it was ready; nothing went out after the drop.
        assertEquals(100, servlet.out.written.size(), "nothing written after the drop");
        assertTrue(exchange.ended());
    }

    @Test
    void aClientGoneMidWriteEndsTheExchangeAndCancelsTheStream() throws Exception {
        var servlet = new FakeServlet(1 << 20);
        var exchange = exchange(servlet);
        var source = new Source();
        exchange.claim();
        servlet.out.failing = true;

        exchange.begin(200, List.of(), bytes(10), false, source);

        assertTrue(exchange.ended());
        assertEquals(1, source.cancelled);
        assertEquals(1, ends.get());
    }

    @Test
    void whoeverClaimsFirstAnswersAndTheOthersFindItAnswered() throws Exception {
        var servlet = new FakeServlet(1 << 20);
        var exchange = exchange(servlet);

        exchange.answerText(504, "504 Gateway Timeout\n", System.Logger.Level.DEBUG, "test");
        exchange.answer(new PythonResponse(200, List.of("Content-Type", "text/plain"), bytes(5)));

        assertEquals(504, servlet.status);
        assertEquals("504 Gateway Timeout\n", servlet.out.written.toString(StandardCharsets.UTF_8));
        assertFalse(exchange.claim());
        assertEquals(1, servlet.completions);
    }

    @Test
    void httpysOwnAnswerCarriesItsExtraHeaders() throws Exception {
        var servlet = new FakeServlet(1 << 20);
        var exchange = exchange(servlet);

        exchange.answerText(503, "busy\n", System.Logger.Level.DEBUG, "test", "Retry-After", "1");

        assertEquals(503, servlet.status);
        assertEquals("1", servlet.header("Retry-After"));
        assertEquals("text/plain; charset=utf-8", servlet.header("Content-Type"));
        assertEquals("5", servlet.header("Content-Length"));
    }

    @Test
    void theWorkInFlightIsInterruptedWhenTheTimeoutPasses() throws Exception {
        var exchange = exchange(new FakeServlet(1));
        List<String> interrupted = new ArrayList<>();
        exchange.interruptInFlight(); // nothing in flight: nothing happens
        exchange.inFlight(() -> interrupted.add("task 1"));
        exchange.inFlight(() -> interrupted.add("task 2"));

        exchange.interruptInFlight();

        assertEquals(List.of("task 2"), interrupted, "only the work in flight now");
        assertTrue(Arrays.asList(exchange.toString().split(" ")).contains("/t"));
    }

    @Test
    void aRequestTheContainerEndsBeforeAnyAnswerIsA503NotAnEmpty200() throws Exception {
        // given: a request waiting for Python
        var servlet = new FakeServlet(Exchange.SLICE);
        var exchange = exchange(servlet);
        // when: the container times it out, as Tomcat does to a stopping web app's requests
        exchange.onTimeout(null);
        // then
        assertEquals(503, servlet.status);
        assertEquals("close", servlet.header("Connection"));
        assertEquals(1, servlet.completions);
        assertEquals(1, ends.get());
    }

    @Test
    void aDroppedAnswerThatHadBegunKeepsItsStatus() throws Exception {
        // given: an answer the client has taken part of
        var servlet = new FakeServlet(10);
        var exchange = exchange(servlet);
        exchange.answer(new PythonResponse(200, List.of(), bytes(100)));
        // when
        exchange.onTimeout(null);
        // then
        assertEquals(200, servlet.status);
        assertEquals(null, servlet.header("Connection"));
        assertEquals(1, servlet.completions);
    }
}
