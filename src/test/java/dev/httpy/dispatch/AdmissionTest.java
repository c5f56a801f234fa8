package dev.httpy.dispatch;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reload hand-over's admission: nothing is taken after retiring began, and retiring waits for what was. */
@Timeout(30) // a broken admission never stops taking: fail, not hang
class AdmissionTest {

    @Test
    void retiringWaitsForTheTakenRequestsAndTakesNoMore() throws Exception {
        var admission = new Admission();
        assertTrue(admission.admit());
        assertTrue(admission.admit());
        admission.leave(); // one answered
        var retired = new AtomicBoolean();
        var done = new CountDownLatch(1);
        Thread.ofPlatform().start(() -> {
            retired.set(admission.retire(Duration.ofSeconds(10), () -> true));
            done.countDown();
        });
        long giveUp = System.nanoTime() + 5_000_000_000L;
        while (admission.admit()) { // until retiring has begun
            admission.leave();
            assertTrue(System.nanoTime() < giveUp, "still taking requests 5 s after retiring began");
            Thread.onSpinWait();
        }
        assertFalse(admission.admit(), "a retiring dispatcher took a request");
        assertEquals(1, admission.inFlight());
        assertFalse(done.await(100, java.util.concurrent.TimeUnit.MILLISECONDS), "retired with a request unanswered");

        admission.leave();

        assertTrue(done.await(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(retired.get());
        assertEquals(0, admission.inFlight());
    }

    @Test
    void retiringGivesUpAtItsLimitOrWhenToldToStopWaiting() {
        var admission = new Admission();
        admission.admit();

        assertFalse(admission.retire(Duration.ofMillis(50), () -> true));
        assertFalse(admission.retire(Duration.ofSeconds(30), () -> false), "kept waiting after the web app stopped");
        assertEquals(1, admission.inFlight());
    }

    @Test
    void noRequestSlipsInWhileRetiringBegins() throws Exception {
        for (int round = 0; round < 50; round++) {
            var admission = new Admission();
            var taken = new AtomicInteger();
            var lateTaken = new AtomicInteger();
            var retiring = new AtomicBoolean();
            try (var pool = Executors.newFixedThreadPool(4)) {
                for (int t = 0; t < 4; t++) {
                    pool.submit(() -> {
                        for (int i = 0; i < 2_000; i++) {
                            boolean afterRetire = retiring.get();
                            if (admission.admit()) {
                                taken.incrementAndGet();
                                if (afterRetire) {
                                    lateTaken.incrementAndGet();
                                }
                                admission.leave();
                            }
                        }
                    });
                }
                var retired = new AtomicBoolean();
                var retirer = Thread.ofPlatform().start(() -> retired.set(admission.retire(Duration.ofSeconds(10), () -> true)));
                long giveUp = System.nanoTime() + 5_000_000_000L;
                while (admission.admit()) { // until the retired mark is set
                    admission.leave();
                    assertTrue(System.nanoTime() < giveUp, "still taking requests 5 s after retiring began");
                    Thread.onSpinWait();
                }
                retiring.set(true); // from here on, no admit may succeed
                retirer.join();
                assertTrue(retired.get());
            }
            assertEquals(0, lateTaken.get(), "a request was taken after retiring had begun (round " + round + ")");
            assertEquals(0, admission.inFlight());
        }
    }
}
