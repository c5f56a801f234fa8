package dev.httpy.dispatch;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.httpy.python.GilWaits;
import dev.httpy.python.Python;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path's decision, with a stand-in for the runtime: a request runs on its container
 * thread only when its route is known to be short, the thread is a platform thread, no other
 * container thread runs Python here, and Python can run on a caller's thread at all; otherwise it
 * goes to the workers (null), and what ran here counts in the route's times.
 */
@Timeout(30)
class FastPathTest {
    /** Python runs on this thread unless {@link #refusal} says why it cannot; counts the runs. */
    private final AtomicInteger runs = new AtomicInteger();
    private volatile String refusal;
    private final Deadlines deadlines = new Deadlines("test-deadlines", Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofSeconds(60), new Deadlines.Actions() {
                @Override
                public void bodyStalled(Exchange exchange) {
                }

                @Override
                public void pythonOverran(Exchange exchange) {
                }

                @Override
                public void writeStalled(Exchange exchange) {
                }

                @Override
                public void overranHere(Thread thread) {
                }
            });
    private final FastPath fastPath = new FastPath(new FastPath.ContainerThreads() {
        @Override
        public <T> T run(Function<Python, T> work, GilWaits waits) {
            if (refusal != null) {
                throw new IllegalStateException(refusal);
            }
            runs.incrementAndGet();
            return work.apply(null);
        }

        @Override
        public void raiseTimeout(Thread thread) {
        }
    }, deadlines, null);

    @AfterEach
    void close() {
        deadlines.close();
    }

    private static HandlerTimes route(int calls, long nanos) {
        var times = new HandlerTimes();
        for (int i = 0; i < calls; i++) {
            times.record(nanos);
        }
        return times;
    }

    private static HandlerTimes shortRoute() {
        return route(50, 20_000);
    }

    @Test
    void aShortRouteRunsOnThisContainerThread() {
        FastPath.Outcome<String> outcome = fastPath.tryRun(shortRoute(), py -> "hello");
        assertNotNull(outcome);
        assertEquals("hello", outcome.value());
        assertEquals(1, runs.get());
    }

    @Test
    void aRouteNotKnownYetOrLongGoesToTheWorkers() {
        assertNull(fastPath.tryRun(new HandlerTimes(), py -> "new"));
        assertNull(fastPath.tryRun(route(HandlerTimes.WARM_UP_CALLS - 1, 20_000), py -> "warming up"));
        assertNull(fastPath.tryRun(route(50, HandlerTimes.SHORT_NANOS * 2), py -> "long"));
        assertEquals(0, runs.get(), "Python was not even asked");
    }

    @Test
    void aVirtualThreadNeverRunsPythonHere() throws Exception {
        var outcome = new AtomicReference<Object>("not run");
        Thread.ofVirtual().start(() -> outcome.set(fastPath.tryRun(shortRoute(), py -> "virtual"))).join();
        assertNull(outcome.get());
        assertEquals(0, runs.get());
    }

    @Test
    void whileAnotherContainerThreadRunsPythonHereTheNextGoesToTheWorkers() throws Exception {
        var inPython = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var first = Thread.ofPlatform().start(() -> fastPath.tryRun(shortRoute(), py -> {
            inPython.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "first";
        }));
        assertTrue(inPython.await(10, TimeUnit.SECONDS));

        assertNull(fastPath.tryRun(shortRoute(), py -> "second"), "Python is in use here: the workers take it");

        release.countDown();
        first.join();
        assertNotNull(fastPath.tryRun(shortRoute(), py -> "third"), "free again");
        assertEquals(2, runs.get());
    }

    @Test
    void pythonThatCannotRunOnACallersThreadSendsEveryRequestToTheWorkers() {
        refusal = "Python 3.11 cannot run an app's code on a caller's thread; that needs 3.12 or newer";
        assertNull(fastPath.tryRun(shortRoute(), py -> "first"));
        assertNull(fastPath.tryRun(shortRoute(), py -> "second"));
        // and the refusal did not leave Python marked in use
        refusal = null;
        assertNotNull(fastPath.tryRun(shortRoute(), py -> "3.12"));
    }

    @Test
    void aRunHereThatTookLongSendsTheRouteToTheWorkers() {
        var times = shortRoute();
        assertNotNull(fastPath.tryRun(times, py -> {
            try {
                Thread.sleep(100); // waited on I/O
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "slow";
        }));
        assertFalse(times.isShort());
        assertNull(fastPath.tryRun(times, py -> "next"));
        assertEquals(1, runs.get());
    }

    @Test
    void aHandlerThatRaisesIsAnOutcomeNotAHandOff() {
        var times = shortRoute();
        FastPath.Outcome<String> outcome = fastPath.tryRun(times, py -> {
            throw new IllegalArgumentException("bad answer");
        });
        assertNotNull(outcome, "it ran here; the caller answers 500");
        assertTrue(outcome.error() instanceof IllegalArgumentException);
        assertFalse(outcome.timedOut());
        assertNotNull(fastPath.tryRun(times, py -> "next"), "and Python is free again");
    }
}
