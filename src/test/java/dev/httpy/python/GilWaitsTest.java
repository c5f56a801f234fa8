package dev.httpy.python;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.runtime.PythonRuntime;
import dev.httpy.runtime.Waits;
import dev.httpy.workers.PythonTask;
import dev.httpy.workers.PythonWorkers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The waits for the GIL, counted where the GIL is taken: a worker and a caller's thread that ask
 * for it while another thread holds it add (at least) the time it stayed held after they asked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GilWaitsTest {
    /** How long the GIL stays held once the waiting thread is seen asking for it. */
    private static final long HELD_MILLIS = 400;
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

    @Test
    void aWorkerAddsItsWaitForTheGilToWhereItsPoolCounts() throws Exception {
        try (var workers = PythonWorkers.start(runtime, "gil-wait", 1, 1, 16)) {
            var waits = new GilWaits();
            workers.countGilWaitsIn(waits);
            var answer = new CompletableFuture<Object>();
            holdingTheGil(() -> {
                assertTrue(workers.submit(new PythonTask() {
                    @Override
                    public Runnable runWithGil(Python py) {
                        answer.complete(py.callModuleFunction("workers_probe", "interpreter_id"));
                        return null;
                    }

                    @Override
                    public void abandon() {
                        answer.completeExceptionally(new IllegalStateException("abandoned"));
                    }
                }));
                awaitAskingForTheGil(thread("gil-wait-0"));
            });
            answer.get(30, TimeUnit.SECONDS);
            assertTrue(waits.acquisitions() >= 1, "acquisitions " + waits.acquisitions());
            assertTrue(waits.millis() >= HELD_MILLIS / 2.0, "waited " + waits.millis() + " ms");
        }
    }

    @Test
    void aCallOnTheCallersThreadAddsItsWaitForTheGil() throws Exception {
        var waits = new GilWaits();
        var firstCallDone = new CountDownLatch(1);
        var goOn = new CountDownLatch(1);
        var outcome = new CompletableFuture<Void>();
        Thread caller = Thread.ofPlatform().name("gil-wait-caller").start(() -> {
            try {
                runtime.onThisThread(py -> null); // makes its thread state, which takes the GIL uncounted
                firstCallDone.countDown();
                goOn.await();
                runtime.onThisThread(py -> py.callModuleFunction("workers_probe", "interpreter_id"), waits);
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        });
        firstCallDone.await();
        holdingTheGil(() -> {
            goOn.countDown();
            awaitAskingForTheGil(caller);
        });
        outcome.get(30, TimeUnit.SECONDS);
        assertEquals(1, waits.acquisitions());
        assertTrue(waits.millis() >= HELD_MILLIS / 2.0, "waited " + waits.millis() + " ms");
    }

    /** Runs {@code meanwhile} while the owner thread holds the app's GIL, then holds it {@link #HELD_MILLIS} more. */
    private void holdingTheGil(ThrowingRunnable meanwhile) throws Exception {
        var held = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var holder = CompletableFuture.runAsync(() -> runtime.withGil(py -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        held.await();
        try {
            meanwhile.run();
            Thread.sleep(HELD_MILLIS);
        } finally {
            release.countDown();
        }
        holder.get(30, TimeUnit.SECONDS);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name));
    }

    /** Waits until {@code thread} is inside {@link PythonThread#resume}: asking for the GIL. */
    private static void awaitAskingForTheGil(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().equals(PythonThread.class.getName())
                    && f.getMethodName().equals("resume"))) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError(thread.getName() + " never asked for the GIL: " + Arrays.toString(thread.getStackTrace()));
    }
}
