package dev.httpy.workers;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.httpy.workers.TurnTaking.Turn;
import org.junit.jupiter.api.Test;

import static dev.httpy.workers.TurnTaking.FOREVER;
import static dev.httpy.workers.TurnTaking.STUCK_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The turn-taking policy alone, with a clock the test moves and workers that are plain objects. */
class TurnTakingTest {
    /** A clock that starts well away from 0, which means "not in a task". */
    private long now = 1_000_000_000L;
    private final TurnTaking turns = new TurnTaking(true, () -> now);

    private static final class FakeWorker implements TurnTaking.Taker {
        volatile long inTaskSince;

        @Override
        public long inTaskSince() {
            return inTaskSince;
        }
    }

    private void tasksTake(long nanos, int times) {
        for (int i = 0; i < times; i++) {
            turns.measured(nanos);
        }
    }

    /** Runs awaitTurn on a thread of its own and returns once that thread waits. */
    private CompletableFuture<Turn> waitForTurn(FakeWorker worker) throws InterruptedException {
        int before = turns.waiting();
        var turn = CompletableFuture.supplyAsync(() -> {
            try {
                return turns.awaitTurn(worker, FOREVER);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (turns.waiting() == before && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(before + 1, turns.waiting(), "the worker does not wait for a turn");
        return turn;
    }

    @Test
    void turnsStayOffWhileTasksAreShort() {
        tasksTake(10_000, 100);
        assertFalse(turns.on());
    }

    @Test
    void turnsSwitchOnWhenTasksAverageOver40Microseconds() {
        tasksTake(100_000, 100);
        assertTrue(turns.on());
    }

    @Test
    void turnsStayOnBetween20And40Microseconds() {
        tasksTake(100_000, 100);
        tasksTake(30_000, 200);
        assertTrue(turns.on());
    }

    @Test
    void turnsSwitchOffWhenTasksAverageUnder20Microseconds() {
        tasksTake(100_000, 100);
        tasksTake(5_000, 200);
        assertFalse(turns.on());
    }

    @Test
    void withoutTurnsEveryWorkerIsAPrimary() throws InterruptedException {
        assertEquals(Turn.PRIMARY, turns.awaitTurn(new FakeWorker(), 0));
        assertEquals(Turn.PRIMARY, turns.awaitTurn(new FakeWorker(), 0));
    }

    @Test
    void withTurnsOnlyThePrimaryWaitsForTasks() throws InterruptedException {
        tasksTake(100_000, 100);
        var first = new FakeWorker();
        assertEquals(Turn.PRIMARY, turns.awaitTurn(first, 0));
        assertEquals(Turn.NONE, turns.awaitTurn(new FakeWorker(), 0));
        assertEquals(Turn.PRIMARY, turns.awaitTurn(first, 0));
    }

    @Test
    void anotherJoinsWhenThePrimaryIsStuckFor2Milliseconds() throws Exception {
        tasksTake(100_000, 100);
        var primary = new FakeWorker();
        turns.awaitTurn(primary, 0);
        var other = waitForTurn(new FakeWorker());
        primary.inTaskSince = now;
        now += STUCK_NANOS;
        assertEquals(1, turns.letOthersInIfStuck(List.of(primary), 1));
        assertEquals(Turn.EXTRA, other.get(10, TimeUnit.SECONDS));
    }

    @Test
    void noneJoinsWhileThePrimaryHasBeenInItsTaskUnder2Milliseconds() throws Exception {
        tasksTake(100_000, 100);
        var primary = new FakeWorker();
        turns.awaitTurn(primary, 0);
        var other = waitForTurn(new FakeWorker());
        primary.inTaskSince = now;
        now += STUCK_NANOS - 1;
        assertEquals(0, turns.letOthersInIfStuck(List.of(primary), 1));
        assertFalse(other.isDone());
        turns.stop();
    }

    @Test
    void noneJoinsWhileThePrimaryIsBetweenTasks() throws Exception {
        tasksTake(100_000, 100);
        var primary = new FakeWorker();
        turns.awaitTurn(primary, 0);
        var other = waitForTurn(new FakeWorker());
        now += STUCK_NANOS * 10;
        assertEquals(0, turns.letOthersInIfStuck(List.of(primary), 1));
        assertFalse(other.isDone());
        turns.stop();
    }

    @Test
    void noneJoinsWhileOneOfSeveralTakingTasksIsNotStuck() throws Exception {
        tasksTake(100_000, 100);
        var primary = new FakeWorker();
        var extra = new FakeWorker();
        turns.awaitTurn(primary, 0);
        var waiting = waitForTurn(new FakeWorker());
        primary.inTaskSince = now;
        now += STUCK_NANOS;
        extra.inTaskSince = now - 1;
        assertEquals(0, turns.letOthersInIfStuck(List.of(primary, extra), 1));
        assertFalse(waiting.isDone());
        turns.stop();
    }

    @Test
    void asManyJoinAsTasksWaitAndNoMore() throws Exception {
        tasksTake(100_000, 100);
        var primary = new FakeWorker();
        turns.awaitTurn(primary, 0);
        var waiters = List.of(waitForTurn(new FakeWorker()), waitForTurn(new FakeWorker()), waitForTurn(new FakeWorker()));
        primary.inTaskSince = now;
        now += STUCK_NANOS;
        assertEquals(2, turns.letOthersInIfStuck(List.of(primary), 2));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiters.stream().filter(CompletableFuture::isDone).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(2, waiters.stream().filter(CompletableFuture::isDone).count());
        assertEquals(1, turns.waiting());
        turns.stop();
    }

    @Test
    void noTurnIsGrantedWhenNoneWaits() {
        tasksTake(100_000, 100);
        var primary = new FakeWorker();
        primary.inTaskSince = now;
        now += STUCK_NANOS;
        assertEquals(0, turns.letOthersInIfStuck(List.of(primary), 5));
    }

    @Test
    void aLeavingPrimaryHandsOverToAWaitingWorker() throws Exception {
        tasksTake(100_000, 100);
        var primary = new FakeWorker();
        turns.awaitTurn(primary, 0);
        var other = waitForTurn(new FakeWorker());
        turns.leave(primary);
        assertEquals(Turn.PRIMARY, other.get(10, TimeUnit.SECONDS));
    }

    @Test
    void waitersBecomePrimariesWhenTurnsSwitchOff() throws Exception {
        tasksTake(100_000, 100);
        turns.awaitTurn(new FakeWorker(), 0);
        var other = waitForTurn(new FakeWorker());
        tasksTake(1_000, 200);
        assertEquals(Turn.PRIMARY, other.get(10, TimeUnit.SECONDS));
    }

    @Test
    void stopEndsEveryWaitWithoutATurn() throws Exception {
        tasksTake(100_000, 100);
        turns.awaitTurn(new FakeWorker(), 0);
        var other = waitForTurn(new FakeWorker());
        turns.stop();
        assertEquals(Turn.NONE, other.get(10, TimeUnit.SECONDS));
    }

    @Test
    void workersWithAGilEachNeverTakeTurns() throws InterruptedException {
        var ownGil = new TurnTaking(false, () -> now);
        for (int i = 0; i < 100; i++) {
            ownGil.measured(1_000_000);
        }
        assertFalse(ownGil.on());
        assertEquals(Turn.PRIMARY, ownGil.awaitTurn(new FakeWorker(), 0));
        assertEquals(Turn.PRIMARY, ownGil.awaitTurn(new FakeWorker(), 0));
    }
}
