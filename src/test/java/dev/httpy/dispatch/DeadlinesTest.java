package dev.httpy.dispatch;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.httpy.python.PythonException;
import dev.httpy.python.PythonResponse;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlinesTest {
    private final List<String> actions = new CopyOnWriteArrayList<>();

    private Deadlines deadlines(Duration body, Duration python, Duration write) {
        return new Deadlines("test-deadlines", body, python, write, new Deadlines.Actions() {
            @Override
            public void bodyStalled(Exchange exchange) {
                actions.add("408 " + exchange);
            }

            @Override
            public void pythonOverran(Exchange exchange) {
                actions.add("504 " + exchange);
            }

            @Override
            public void writeStalled(Exchange exchange) {
                actions.add("drop " + exchange);
            }

            @Override
            public void overranHere(Thread thread) {
                actions.add("interrupt " + thread.getName());
            }
        });
    }

    private static Exchange exchange(String path) {
        return Exchange.blocking("GET", path, null, () -> { });
    }

    /** Waits (at most 10 s) until {@code count} actions were taken; then a little longer, to catch repeats. */
    private void awaitActions(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (actions.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(300);
    }

    @Test
    void eachPassedLimitActsOnceOnItsExchange() throws Exception {
        try (var deadlines = deadlines(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50))) {
            // given: three exchanges, each waiting on one thing since long ago, and one that waits on nothing
            var body = exchange("/body");
            var python = exchange("/python");
            var write = exchange("/write");
            var idle = exchange("/idle");
            long longAgo = System.nanoTime() - Duration.ofSeconds(1).toNanos();
            body.bodyWaitSince = longAgo;
            python.pythonSince = longAgo;
            write.writeStalledSince = longAgo;
            for (Exchange e : List.of(body, python, write, idle)) {
                deadlines.track(e);
            }
            // when
            awaitActions(3);
            // then
            assertEquals(3, actions.size(), actions.toString());
            assertTrue(actions.containsAll(List.of("408 GET /body", "504 GET /python", "drop GET /write")), actions.toString());
        }
    }

    @Test
    void anExchangeThatKeepsMakingProgressIsLeftAlone() throws Exception {
        try (var deadlines = deadlines(Duration.ofMillis(200), Duration.ofSeconds(60), Duration.ofSeconds(60))) {
            var trickling = exchange("/trickle");
            deadlines.track(trickling);
            for (int i = 0; i < 20; i++) {
                trickling.bodyWaitSince = System.nanoTime() | 1; // a few bytes arrived
                Thread.sleep(25);
            }
            assertTrue(actions.isEmpty(), actions.toString());
        }
    }

    @Test
    void anUntrackedExchangeIsNotActedOn() throws Exception {
        try (var deadlines = deadlines(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50))) {
            var done = exchange("/done");
            done.pythonSince = System.nanoTime() - Duration.ofSeconds(1).toNanos();
            deadlines.track(done);
            deadlines.untrack(done);
            Thread.sleep(300);
            assertTrue(actions.isEmpty(), actions.toString());
        }
    }

    @Test
    void aContainerThreadRunningPythonPastTheTimeoutIsInterruptedOnce() throws Exception {
        try (var deadlines = deadlines(Duration.ofSeconds(60), Duration.ofMillis(50), Duration.ofSeconds(60))) {
            var thread = Thread.ofPlatform().name("container-1").start(() -> {
                var run = deadlines.hereRun();
                run.since = System.nanoTime() | 1;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                run.since = 0;
            });
            awaitActions(1);
            thread.join();
            assertEquals(List.of("interrupt container-1"), actions);
        }
    }

    // ---- python.timeout as the dispatcher answers it ----

    private static final String TIMEOUT_BODY = HttpyAnswers.body(HttpyAnswers.timedOut("handler"));
    private final AtomicInteger interrupts = new AtomicInteger();

    /** Deadlines that act on python.timeout as the {@link Dispatcher} does: its 504 (or cut), its fast path's interrupt. */
    private Deadlines asTheDispatcher(Duration python, FastPath[] fastPath) {
        return new Deadlines("test-deadlines", Duration.ofSeconds(60), python, Duration.ofSeconds(60), new Deadlines.Actions() {
            @Override
            public void bodyStalled(Exchange exchange) {
                actions.add("408 " + exchange);
            }

            @Override
            public void pythonOverran(Exchange exchange) {
                actions.add("overran " + exchange);
                Dispatcher.overran(exchange, "app");
            }

            @Override
            public void writeStalled(Exchange exchange) {
                actions.add("drop " + exchange);
            }

            @Override
            public void overranHere(Thread thread) {
                actions.add("interrupt " + thread.getName());
                fastPath[0].interrupt(thread);
            }
        });
    }

    /** An exchange on the async path, tracked until it ends (as the dispatcher's), whose work in flight counts its interrupts. */
    private Exchange tracked(Deadlines deadlines, FakeServlet servlet, String path) throws Exception {
        var holder = new Exchange[1];
        holder[0] = Exchange.async("GET", path, servlet.response, servlet.async, () -> deadlines.untrack(holder[0]));
        holder[0].inFlight(interrupts::incrementAndGet);
        deadlines.track(holder[0]);
        return holder[0];
    }

    @Test
    void pythonOverTheTimeoutGets504WithHttpysTextAndItsWorkIsInterruptedOnce() throws Exception {
        try (var deadlines = asTheDispatcher(Duration.ofMillis(50), null)) {
            var servlet = new FakeServlet(1 << 20);
            var exchange = tracked(deadlines, servlet, "/slow");
            // when: Python has the request and does not answer
            exchange.pythonWaitBegins();
            awaitActions(1);
            Thread.sleep(200); // ticks enough for a repeat
            // then
            assertEquals(504, servlet.status);
            assertEquals(TIMEOUT_BODY, servlet.out.written.toString(StandardCharsets.UTF_8));
            assertEquals(1, interrupts.get(), "the work in flight is interrupted once");
            assertEquals(1, servlet.completions);
            assertEquals(List.of("overran GET /slow"), actions);
            // and the answer Python makes late changes nothing
            exchange.answer(new PythonResponse(200, List.of(), "late".getBytes(StandardCharsets.UTF_8)));
            assertEquals(504, servlet.status);
            assertEquals(TIMEOUT_BODY, servlet.out.written.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anAnswerThatCameFirstWinsOverTheTimeout() throws Exception {
        try (var deadlines = asTheDispatcher(Duration.ofMillis(50), null)) {
            var servlet = new FakeServlet(1 << 20);
            var exchange = tracked(deadlines, servlet, "/quick");
            // given: Python's wait began long ago, but nothing looked yet
            exchange.pythonWaitSince(System.nanoTime() - Duration.ofSeconds(1).toNanos());
            // when: the answer comes first
            exchange.answer(new PythonResponse(200, List.of(), "hello".getBytes(StandardCharsets.UTF_8)));
            deadlines.track(exchange); // a sweep that had already taken it
            Thread.sleep(300);
            // then
            assertEquals(200, servlet.status);
            assertEquals("hello", servlet.out.written.toString(StandardCharsets.UTF_8));
            assertEquals(0, interrupts.get(), "nothing to interrupt after the answer");
            assertTrue(actions.isEmpty(), actions.toString());
            assertEquals(1, servlet.completions);
        }
    }

    @Test
    void aStreamWhoseNextChunkIsLateIsCutShortNotAnswered504() throws Exception {
        try (var deadlines = asTheDispatcher(Duration.ofMillis(50), null)) {
            var servlet = new FakeServlet(1 << 20);
            var exchange = tracked(deadlines, servlet, "/stream");
            var cancelled = new AtomicInteger();
            assertTrue(exchange.claim());
            exchange.begin(200, List.of(), "first".getBytes(StandardCharsets.UTF_8), false, new Exchange.ChunkSource() {
                @Override
                public void requestNext() {
                    exchange.pythonWaitBegins(); // Python makes the next chunk, and never does
                }

                @Override
                public void cancel() {
                    cancelled.incrementAndGet();
                }
            });
            awaitActions(1);
            assertEquals(200, servlet.status);
            assertEquals("first", servlet.out.written.toString(StandardCharsets.UTF_8), "no 504 text inside the stream");
            assertTrue(exchange.ended());
            assertEquals(1, cancelled.get());
            assertEquals(1, interrupts.get());
            assertEquals(1, servlet.completions);
        }
    }

    @Test
    void aHandlerOverrunningOnTheContainerThreadGetsOneTimeoutErrorAndA504() throws Exception {
        var fastPath = new FastPath[1];
        var raised = new AtomicInteger();
        try (var deadlines = asTheDispatcher(Duration.ofMillis(50), fastPath)) {
            fastPath[0] = new FastPath(new FastPath.ContainerThreads() {
                @Override
                public <T> T run(java.util.function.Function<dev.httpy.python.Python, T> work, dev.httpy.python.GilWaits waits) {
                    return work.apply(null);
                }

                @Override
                public void raiseTimeout(Thread thread) {
                    raised.incrementAndGet();
                    thread.interrupt();
                }
            }, deadlines, null);
            // when: a handler in a C call sees its TimeoutError only when the call returns, long after the limit
            FastPath.Outcome<String> outcome = fastPath[0].run(py -> {
                long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                long timedOutAt = 0;
                while (System.nanoTime() < end && (timedOutAt == 0 || System.nanoTime() - timedOutAt < 300_000_000L)) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        timedOutAt = System.nanoTime();
                    }
                }
                throw new PythonException("TimeoutError", "python.timeout", "");
            });
            // then
            assertEquals(1, raised.get(), "TimeoutError is raised once, however long the handler takes to see it");
            assertTrue(outcome.timedOut());
            var failed = assertInstanceOf(Dispatcher.Here.Failed.class, Dispatcher.here(outcome, "app", false));
            assertEquals(504, failed.status());
            assertEquals(HttpyAnswers.timedOut("handler"), failed.text());
        }
    }

    @Test
    void aHandlerThatRaisesOnItsOwnHereGets500Not504() throws Exception {
        try (var deadlines = asTheDispatcher(Duration.ofSeconds(60), null)) {
            var fastPath = new FastPath(new FastPath.ContainerThreads() {
                @Override
                public <T> T run(java.util.function.Function<dev.httpy.python.Python, T> work, dev.httpy.python.GilWaits waits) {
                    return work.apply(null);
                }

                @Override
                public void raiseTimeout(Thread thread) {
                    throw new AssertionError("no timeout here");
                }
            }, deadlines, null);
            FastPath.Outcome<String> outcome = fastPath.run(py -> {
                throw new PythonException("TimeoutError", "the app's own socket timed out", "");
            });
            assertEquals(false, outcome.timedOut());
            var failed = assertInstanceOf(Dispatcher.Here.Failed.class, Dispatcher.here(outcome, "app", false));
            assertEquals(500, failed.status());
        }
    }
}
