package dev.httpy.workers;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.httpy.python.Python;
import dev.httpy.workers.TaskQueue.Offer;
import dev.httpy.workers.TaskQueue.Pin;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The task queue alone: tasks that are plain objects, workers that are plain threads. */
class TaskQueueTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    private final TaskQueue queue = new TaskQueue(2);

    private record Task(String name) implements PythonTask {
        @Override
        public Runnable runWithGil(Python py) {
            throw new AssertionError("the queue never runs a task");
        }

        @Override
        public void abandon() {
            throw new AssertionError("the queue never abandons a task itself");
        }
    }

    /** Has a thread of its own take a task for {@code inbox}, and returns once it waits. */
    private CompletableFuture<PythonTask> waitingWorker(TaskQueue.Inbox inbox) throws InterruptedException {
        var taken = new CompletableFuture<PythonTask>();
        var thread = Thread.ofPlatform().daemon().start(() -> {
            try {
                taken.complete(queue.take(inbox, TEN_SECONDS));
            } catch (Throwable e) {
                taken.completeExceptionally(e);
            }
        });
        long deadline = System.nanoTime() + TEN_SECONDS;
        while (thread.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(Thread.State.TIMED_WAITING, thread.getState(), "the worker does not wait for a task");
        return taken;
    }

    @Test
    void tasksAreTakenInTheOrderTheyCame() throws InterruptedException {
        var worker = queue.join();
        var first = new Task("first");
        var second = new Task("second");
        queue.offer(first, false);
        queue.offer(second, false);

        assertSame(first, queue.take(worker, 0));
        assertSame(second, queue.take(worker, 0));
        assertNull(queue.take(worker, 0));
    }

    @Test
    void aFullQueueRefusesNewTasks() {
        queue.offer(new Task("a"), false);
        queue.offer(new Task("b"), false);

        assertEquals(Offer.REFUSED, queue.offer(new Task("c"), false));
        assertEquals(2, queue.queued());
    }

    @Test
    void aTaskThatContinuesARequestGoesFirstEvenIntoAFullQueue() throws InterruptedException {
        var worker = queue.join();
        queue.offer(new Task("a"), false);
        queue.offer(new Task("b"), false);
        var next = new Task("next chunk");

        assertEquals(Offer.NO_IDLE_WORKER, queue.offer(next, true));

        assertEquals(3, queue.queued());
        assertSame(next, queue.take(worker, 0));
    }

    @Test
    void aTaskWithNoIdleWorkerSaysSo() {
        queue.join();

        assertEquals(Offer.NO_IDLE_WORKER, queue.offer(new Task("a"), false));
        assertEquals(1, queue.waiting());
    }

    @Test
    void aTaskWakesTheWorkerThatBeganWaitingLast() throws Exception {
        var earlier = waitingWorker(queue.join());
        var later = waitingWorker(queue.join());
        var task = new Task("a");

        assertEquals(Offer.WOKE_IDLE_WORKER, queue.offer(task, false));

        assertSame(task, later.get(10, TimeUnit.SECONDS));
        assertFalse(earlier.isDone(), "the worker that waited longer stays idle");
        queue.close();
        assertNull(earlier.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aWaitWithoutTasksEndsEmptyAfterItsTimeout() throws InterruptedException {
        var worker = queue.join();

        assertNull(queue.take(worker, TimeUnit.MILLISECONDS.toNanos(20)));
    }

    @Test
    void pinnedTasksGoOnlyToTheirWorkerAndBeforeQueuedOnes() throws InterruptedException {
        var owner = queue.join();
        var other = queue.join();
        var queued = new Task("queued");
        var pinned = new Task("pinned");
        queue.offer(queued, false);

        assertEquals(Pin.PINNED, queue.pin(pinned, owner));

        assertEquals(2, queue.queued());
        assertEquals(1, queue.waiting(), "only the queued task waits for any worker");
        assertSame(queued, queue.take(other, 0));
        assertNull(queue.take(other, 0));
        assertSame(pinned, queue.take(owner, 0));
    }

    @Test
    void aPinnedTaskIsNotRefusedForAFullQueue() {
        var owner = queue.join();
        queue.offer(new Task("a"), false);
        queue.offer(new Task("b"), false);

        assertEquals(Pin.PINNED, queue.pin(new Task("pinned"), owner));
    }

    @Test
    void aPinnedTaskWakesItsWorkerEvenWhenAnotherWaitedLast() throws Exception {
        var owner = queue.join();
        var ownerTakes = waitingWorker(owner);
        var otherTakes = waitingWorker(queue.join());
        var pinned = new Task("pinned");

        queue.pin(pinned, owner);

        assertSame(pinned, ownerTakes.get(10, TimeUnit.SECONDS));
        assertFalse(otherTakes.isDone());
        queue.close();
        assertNull(otherTakes.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aWorkerLeavingHandsBackItsPinnedTasksAndTakesNoMore() {
        var owner = queue.join();
        var pinned = new Task("pinned");
        queue.pin(pinned, owner);

        assertEquals(List.of(pinned), queue.leave(owner));

        assertEquals(0, queue.queued());
        assertEquals(Pin.WORKER_GONE, queue.pin(new Task("late"), owner));
        assertEquals(List.of(), queue.leave(owner), "a second leave has nothing left");
    }

    @Test
    void aTaskPinnedToNoWorkerFindsItGone() {
        assertEquals(Pin.WORKER_GONE, queue.pin(new Task("pinned"), null));
    }

    @Test
    void closingHandsBackEveryWaitingTaskAndRefusesMore() {
        var owner = queue.join();
        var queued = new Task("queued");
        var pinned = new Task("pinned");
        queue.offer(queued, false);
        queue.pin(pinned, owner);

        var abandoned = queue.close();

        assertEquals(List.of(queued, pinned), abandoned);
        assertTrue(queue.closed());
        assertEquals(0, queue.queued());
        assertEquals(Offer.REFUSED, queue.offer(new Task("after"), false));
        assertEquals(Offer.REFUSED, queue.offer(new Task("after"), true));
        assertEquals(Pin.REFUSED, queue.pin(new Task("after"), owner));
    }

    @Test
    void closingWakesEveryIdleWorkerEmptyHanded() throws Exception {
        var first = waitingWorker(queue.join());
        var second = waitingWorker(queue.join());

        queue.close();

        assertNull(first.get(10, TimeUnit.SECONDS));
        assertNull(second.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aWorkerThatLeftBeforeCloseHasNothingToAbandon() {
        var owner = queue.join();
        queue.pin(new Task("pinned"), owner);
        queue.leave(owner);

        assertEquals(List.of(), queue.close());
    }
}
