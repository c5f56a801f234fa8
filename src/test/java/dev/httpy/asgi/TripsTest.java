package dev.httpy.asgi;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ASGI loop's trips on a pool of workers, as rings arrive from the doorbell, the request
 * threads and the writers at once: never two trips at a time (their deliveries would interleave: a
 * body before its start), and never a ring left without a trip that began after it.
 */
@Timeout(60)
class TripsTest {

    @Test
    void tripsNeverOverlapAndNoRingIsLeftBehind() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(4);
        var active = new AtomicInteger();
        var overlap = new AtomicReference<String>();
        var rings = new AtomicLong();
        var carriedUpTo = new AtomicLong();
        var trips = new AtomicInteger();
        var holder = new Trips[1];
        holder[0] = new Trips(() -> {
            workers.submit(() -> {
                if (active.incrementAndGet() != 1) {
                    overlap.compareAndSet(null, "two trips at once");
                }
                carriedUpTo.accumulateAndGet(rings.get(), Math::max); // takes what waits now
                trips.incrementAndGet();
                Thread.onSpinWait(); // delivering, out of the GIL
                active.decrementAndGet();
                holder[0].done();
            });
            return true;
        });
        try (ExecutorService ringers = Executors.newFixedThreadPool(4)) {
            for (int r = 0; r < 4; r++) {
                ringers.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        rings.incrementAndGet();
                        holder[0].ring();
                    }
                });
            }
        }
        long last = rings.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (carriedUpTo.get() < last && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        workers.shutdown();
        assertTrue(workers.awaitTermination(10, TimeUnit.SECONDS));
        assertNull(overlap.get());
        assertEquals(last, carriedUpTo.get(), "a ring was left without a trip after it");
        assertTrue(trips.get() > 0 && trips.get() < last, "rings while a trip runs share the next trip: " + trips.get());
    }

    @Test
    void aTripThatCouldNotBeQueuedLeavesTheNextRingToTryAgain() {
        var accept = new boolean[] {false};
        var submitted = new AtomicInteger();
        var trips = new Trips(() -> {
            submitted.incrementAndGet();
            return accept[0];
        });
        trips.ring(); // the queue is full: refused
        accept[0] = true;
        trips.ring();
        assertEquals(2, submitted.get(), "a refused trip must not leave the loop marked busy");
        trips.ring(); // under way: carried by the next trip, not a second one at once
        assertEquals(2, submitted.get());
        trips.done(); // something arrived meanwhile: the next trip starts
        assertEquals(3, submitted.get());
        trips.abandoned();
        trips.ring();
        assertEquals(4, submitted.get());
    }
}
