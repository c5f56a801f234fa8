package dev.httpy.workers;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.httpy.workers.TurnTaking.STUCK_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The growth decision alone, with a clock the test moves and workers that are plain objects. */
class GrowthTest {
    private static final long RETIRE_AFTER = Duration.ofSeconds(10).toNanos();

    /** A clock that starts well away from 0, which means "not in a task". */
    private long now = 1_000_000_000L;
    private final Growth growth = new Growth(8, Duration.ofNanos(RETIRE_AFTER), () -> now);

    private record FakeWorker(long inTaskSince) implements TurnTaking.Taker {
    }

    private FakeWorker inTaskFor(long nanos) {
        return new FakeWorker(now - nanos);
    }

    private static final FakeWorker IDLE = new FakeWorker(0);

    @Test
    void noWorkerIsAddedWhileOneIsIdle() {
        var workers = List.of(inTaskFor(STUCK_NANOS), IDLE);

        assertEquals(0, growth.workersToAdd(workers, 5));
    }

    @Test
    void noWorkerIsAddedWhileOneHasBeenInItsTaskUnder2Milliseconds() {
        var workers = List.of(inTaskFor(STUCK_NANOS), inTaskFor(STUCK_NANOS - 1));

        assertEquals(0, growth.workersToAdd(workers, 5));
    }

    @Test
    void whenEveryWorkerIsStuckOneIsAddedPerWaitingTask() {
        var workers = List.of(inTaskFor(STUCK_NANOS), inTaskFor(10 * STUCK_NANOS));

        assertEquals(5, growth.workersToAdd(workers, 5));
    }

    @Test
    void theWorkersAddedNeverTakeThePoolPastMax() {
        var workers = List.of(inTaskFor(STUCK_NANOS), inTaskFor(STUCK_NANOS), inTaskFor(STUCK_NANOS));

        assertEquals(5, growth.workersToAdd(workers, 100));
    }

    @Test
    void aPoolAtMaxAddsNone() {
        var workers = Collections.nCopies(8, inTaskFor(STUCK_NANOS));

        assertEquals(0, growth.workersToAdd(workers, 100));
    }

    @Test
    void anAddedWorkerWaitsOutTheRestOfItsIdleTime() {
        long idleSince = now;
        now += Duration.ofSeconds(3).toNanos();

        assertEquals(Duration.ofSeconds(7).toNanos(), growth.waitBeforeRetiring(idleSince));
        assertFalse(growth.retires(idleSince));
    }

    @Test
    void anAddedWorkerRetiresAfterItsIdleTime() {
        long idleSince = now;
        now += RETIRE_AFTER;

        assertTrue(growth.retires(idleSince));
        assertEquals(0, growth.waitBeforeRetiring(idleSince));
    }
}
