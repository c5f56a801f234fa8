package dev.httpy.workers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.python.Python;
import dev.httpy.python.PythonException;
import dev.httpy.runtime.PythonRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker pool against the embedded CPython: it grows while every worker waits inside a task,
 * shrinks back when idle, runs pinned tasks where they belong, and stops every thread it started.
 * Handlers come from {@code workers/workers_probe.py}; its sleepers nap in {@code time.sleep}
 * until the test releases them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonWorkersTest {
    private static final Duration NEVER = Duration.ofMinutes(10);
    private PythonRuntime runtime;

    @BeforeAll
    void startPython() throws Exception {
        Path probes = Path.of(getClass().getResource("/workers/workers_probe.py").toURI()).getParent();
        runtime = PythonRuntime.start(PythonInstallation.embedded(getClass().getClassLoader(), Path.of("target", "python-cache")),
                AppPaths.of(List.of(probes)), PythonRuntime.Isolation.ISOLATED);
    }

    @AfterAll
    void stopPython() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @BeforeEach
    void sleepersSleep() {
        runtime.withGil(py -> py.call(py.cachedFunction("workers_probe:reset")));
    }

    @AfterEach
    void sleepersWakeUp() {
        releaseSleepers();
    }

    private void releaseSleepers() {
        runtime.withGil(py -> py.call(py.cachedFunction("workers_probe:release")));
    }

    /** A call of workers_probe.FUNCTION that notes where it ran. */
    private static class Call implements PythonTask {
        final String function;
        final Object[] args;
        final CompletableFuture<Object> result = new CompletableFuture<>();
        volatile Thread ranOn;
        volatile Python ranWith;

        Call(String function, Object... args) {
            this.function = function;
            this.args = args;
        }

        @Override
        public Runnable runWithGil(Python py) {
            ranOn = Thread.currentThread();
            ranWith = py;
            try {
                result.complete(py.call(py.cachedFunction("workers_probe:" + function), args));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
            return null;
        }

        @Override
        public void abandon() {
            result.completeExceptionally(new IllegalStateException("abandoned"));
        }

        Object get() throws Exception {
            return result.get(30, TimeUnit.SECONDS);
        }
    }

    private static List<Call> submitSleepers(PythonWorkers workers, int count) {
        var sleepers = new ArrayList<Call>();
        for (int i = 0; i < count; i++) {
            var sleeper = new Call("sleep_until_released");
            assertTrue(workers.submit(sleeper));
            sleepers.add(sleeper);
        }
        return sleepers;
    }

    /** Waits, up to a generous deadline, for a state the pool reaches by itself. */
    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    /** The pool's threads that are still alive: workers, watchdog and lookout are all named after it. */
    private static List<String> liveThreads(String pool) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(pool + "-") && t.isAlive())
                .map(Thread::getName).sorted().toList();
    }

    @Test
    void growsBeyondWarmWhenTasksWaitWhileEveryWorkerSleepsInPython() throws Exception {
        try (var workers = PythonWorkers.start(runtime, "grow", 1, 4, 16, NEVER)) {
            var sleepers = submitSleepers(workers, 3);
            eventually("three workers sleep in Python: " + workers, () -> workers.busy() == 3);
            assertEquals(3, workers.size(), "one worker per waiting task, no more");
            releaseSleepers();
            for (var sleeper : sleepers) {
                sleeper.get();
            }
        }
    }

    @Test
    void neverGrowsBeyondMax() throws Exception {
        try (var workers = PythonWorkers.start(runtime, "ceiling", 1, 3, 16, NEVER)) {
            submitSleepers(workers, 6);
            eventually("three sleep and three wait: " + workers, () -> workers.busy() == 3 && workers.queued() == 3);
            for (int look = 0; look < 50; look++) { // the lookout looks again every 2 ms meanwhile
                assertEquals(3, workers.size());
                Thread.sleep(5);
            }
            releaseSleepers();
        }
    }

    @Test
    void extraWorkersEndAfterTheIdleTimeDownToWarm() throws Exception {
        try (var workers = PythonWorkers.start(runtime, "retire", 1, 3, 16, Duration.ofMillis(100))) {
            var sleepers = submitSleepers(workers, 3);
            eventually("three workers sleep in Python: " + workers, () -> workers.busy() == 3);
            releaseSleepers();
            for (var sleeper : sleepers) {
                sleeper.get();
            }
            eventually("back to one worker: " + workers, () -> workers.size() == 1);
            eventually("the extra threads ended", () -> liveThreads("retire").stream().filter(n -> n.matches("retire-\\d+")).count() == 1);
            var after = new Call("interpreter_id");
            assertTrue(workers.submit(after));
            after.get();
        }
    }

    @Test
    void aPinnedTaskRunsOnTheWorkerOwningThatPython() throws Exception {
        try (var workers = PythonWorkers.startOwnGil(runtime, "pinned", 2, 8, py -> { })) {
            // Two tasks that each hold their worker until both have started: one on each worker.
            var bothStarted = new CountDownLatch(2);
            var owners = new ArrayList<Call>();
            for (int i = 0; i < 2; i++) {
                var owner = new Call("interpreter_id") {
                    @Override
                    public Runnable runWithGil(Python py) {
                        Runnable after = super.runWithGil(py);
                        bothStarted.countDown();
                        try {
                            bothStarted.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return after;
                    }
                };
                assertTrue(workers.submit(owner));
                owners.add(owner);
            }
            for (var owner : owners) {
                owner.get();
            }
            assertNotSame(owners.get(0).ranOn, owners.get(1).ranOn);
            for (int i = 0; i < 20; i++) {
                var owner = owners.get(i % 2);
                var pinned = new Call("interpreter_id");
                assertTrue(workers.submit(pinned, owner.ranWith));
                assertEquals(owner.get(), pinned.get(), "the interpreter of call " + i);
                assertSame(owner.ranOn, pinned.ranOn, "the thread of call " + i);
            }
        }
    }

    @Test
    void aPinnedTaskInASharedInterpreterRunsOnAnyWorker() throws Exception {
        try (var workers = PythonWorkers.start(runtime, "pinned-shared", 2, 2, 8, NEVER)) {
            var first = new Call("interpreter_id");
            assertTrue(workers.submit(first));
            first.get();
            var pinned = new Call("interpreter_id");
            assertTrue(workers.submit(pinned, first.ranWith));
            assertEquals(first.get(), pinned.get());
        }
    }

    /**
     * The watchdog's TimeoutError lands while a task is outside Python (here: its GIL let go) and
     * the task returns before any bytecode sees it: the worker clears it, so that the next task on
     * the same thread runs untouched.
     */
    @Test
    void aTimeoutErrorThatArrivesAsItsTaskReturnsDoesNotHitTheNextTask() throws Exception {
        try (var workers = PythonWorkers.start(runtime, "late-timeout", 1, 1, 16, NEVER)) {
            var raised = new CompletableFuture<Boolean>();
            var late = new PythonTask() {
                @Override
                public Runnable runWithGil(Python py) {
                    workers.interrupt(this);
                    py.withoutGil(() -> {
                        try {
                            eventually("the watchdog raised TimeoutError in the task", () -> workers.interrupted() == 1);
                            raised.complete(true);
                        } catch (Throwable e) {
                            raised.completeExceptionally(e);
                        }
                    });
                    return null;
                }

                @Override
                public void abandon() {
                    raised.completeExceptionally(new IllegalStateException("abandoned"));
                }
            };
            assertTrue(workers.submit(late));
            assertTrue(raised.get(30, TimeUnit.SECONDS));
            var next = new Call("interpreter_id");
            assertTrue(workers.submit(next));
            assertInstanceOf(Long.class, next.get(), "the next task ran without the pending TimeoutError");
            assertEquals(0, workers.interrupted());
        }
    }

    @Test
    void closeEndsEveryThreadWhileExtraWorkersSleepInPython() throws Exception {
        var workers = PythonWorkers.start(runtime, "close-sleeping", 1, 3, 16, NEVER);
        var sleepers = submitSleepers(workers, 3);
        eventually("three workers sleep in Python: " + workers, () -> workers.busy() == 3);
        workers.close(Duration.ofMillis(100));
        assertEquals(List.of(), liveThreads("close-sleeping"));
        for (var sleeper : sleepers) {
            var e = assertThrows(ExecutionException.class, sleeper::get);
            assertEquals("TimeoutError", assertInstanceOf(PythonException.class, e.getCause()).pythonType());
        }
    }

    @Test
    void closeEndsEveryThreadWithIdleExtraWorkers() throws Exception {
        var workers = PythonWorkers.start(runtime, "close-idle", 1, 3, 16, NEVER);
        var sleepers = submitSleepers(workers, 3);
        eventually("three workers sleep in Python: " + workers, () -> workers.busy() == 3);
        releaseSleepers();
        for (var sleeper : sleepers) {
            sleeper.get();
        }
        assertEquals(3, workers.size());
        workers.close();
        assertEquals(List.of(), liveThreads("close-idle"));
    }

    @Test
    void closeAbandonsQueuedTasks() throws Exception {
        var workers = PythonWorkers.start(runtime, "close-queued", 1, 1, 16, NEVER);
        submitSleepers(workers, 1);
        var queued = submitSleepers(workers, 1).getFirst();
        eventually("one sleeps, one waits", () -> workers.busy() == 1 && workers.queued() == 1);
        workers.close(Duration.ofMillis(100));
        var e = assertThrows(ExecutionException.class, queued::get);
        assertEquals("abandoned", e.getCause().getMessage());
    }

    @Test
    void aClosedPoolRefusesTasks() {
        var workers = PythonWorkers.start(runtime, "closed", 1, 2, 16, NEVER);
        workers.close();
        assertFalse(workers.submit(new Call("interpreter_id")));
    }
}
