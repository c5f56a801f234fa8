package dev.httpy.runtime;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.httpy.packages.AppPaths;
import dev.httpy.packages.PythonInstallation;
import dev.httpy.python.NativeFacts;
import dev.httpy.python.PythonException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python on the caller's own platform thread: each thread keeps one thread state in the app's
 * interpreter across calls, and the app's stop deletes them without harming the threads, which
 * the next deployment (and C code calling back into Python on them) uses again.
 */
class OnThisThreadTest {
    private static final Path CACHE = Path.of("target", "python-cache");
    private final List<ExecutorService> threads = new ArrayList<>();

    private static PythonInstallation installation() {
        return PythonInstallation.embedded(OnThisThreadTest.class.getClassLoader(), CACHE);
    }

    private static PythonRuntime start() throws Exception {
        return start(PythonRuntime.Isolation.ISOLATED);
    }

    private static PythonRuntime start(PythonRuntime.Isolation isolation) throws Exception {
        Path probes = Path.of(OnThisThreadTest.class.getResource("/threads/thread_probe.py").toURI()).getParent();
        return PythonRuntime.start(installation(), AppPaths.of(List.of(probes)), isolation);
    }

    /** A platform thread that lives across calls, like a container's request thread. */
    private ExecutorService platformThread(String name) {
        var thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(name).factory());
        threads.add(thread);
        return thread;
    }

    private static <T> T on(ExecutorService thread, Callable<T> work) throws Throwable {
        try {
            return thread.submit(work).get();
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    private static Object probe(PythonRuntime runtime, String function, Object... args) {
        return runtime.onThisThread(py -> py.call(py.cachedFunction("thread_probe:" + function), args));
    }

    @AfterEach
    void stopThreads() {
        threads.forEach(ExecutorService::shutdownNow);
    }

    @Test
    void eachPlatformThreadKeepsOneThreadStateAcrossCalls() throws Throwable {
        try (var runtime = start()) {
            int before = runtime.threadStates();
            var callers = List.of(platformThread("caller-a"), platformThread("caller-b"), platformThread("caller-c"));
            var identsPerThread = new ArrayList<HashSet<Object>>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < callers.size(); i++) {
                    if (identsPerThread.size() <= i) {
                        identsPerThread.add(new HashSet<>());
                    }
                    var idents = identsPerThread.get(i);
                    on(callers.get(i), () -> {
                        for (int call = 0; call < 100; call++) {
                            idents.add(probe(runtime, "ident"));
                        }
                        return null;
                    });
                }
                assertEquals(before + callers.size(), runtime.threadStates(), "thread states after round " + round);
            }
            var all = new HashSet<Object>();
            for (var idents : identsPerThread) {
                assertEquals(1, idents.size(), "one thread, one Python thread: " + idents);
                all.addAll(idents);
            }
            assertEquals(callers.size(), all.size(), "each thread its own Python thread");
            assertEquals(300L, on(callers.get(0), () -> probe(runtime, "calls")), "thread-local state kept across calls");
            assertEquals(callers.size(), runtime.callerThreads());
        }
    }

    @Test
    void aVirtualThreadIsRefusedWithAClearMessage() throws Throwable {
        try (var runtime = start()) {
            var refused = new CompletableFuture<Throwable>();
            Thread.ofVirtual().start(() -> {
                try {
                    runtime.onThisThread(py -> "ran");
                    refused.complete(null);
                } catch (Throwable e) {
                    refused.complete(e);
                }
            }).join();
            var e = assertInstanceOf(IllegalStateException.class, refused.get());
            assertTrue(e.getMessage().contains("virtual thread"), e.getMessage());
            assertEquals(0, runtime.callerThreads());
        }
    }

    @Test
    void aCallInsideACallOnTheSameThreadIsRefused() throws Throwable {
        try (var runtime = start()) {
            var e = assertThrows(IllegalStateException.class, () -> runtime.onThisThread(py -> runtime.onThisThread(inner -> "ran")));
            assertTrue(e.getMessage().contains("already in an onThisThread call"), e.getMessage());
            assertEquals(0L, probe(runtime, "calls"), "the thread still runs Python afterwards");
        }
    }

    @Test
    void aClosedRuntimeRefusesCalls() throws Throwable {
        var runtime = start();
        var caller = platformThread("caller-closed");
        on(caller, () -> probe(runtime, "ident"));
        runtime.close();
        var e = assertThrows(IllegalStateException.class, () -> on(caller, () -> probe(runtime, "ident")));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void aRedeployRunsOnTheSameThreadsAndCCallbacksStillWorkThere() throws Throwable {
        var library = installation().library();
        var callers = List.of(platformThread("redeploy-a"), platformThread("redeploy-b"));
        for (int deploy = 1; deploy <= 3; deploy++) {
            try (var runtime = start()) {
                for (var caller : callers) {
                    assertEquals(List.of(1L, 2L, 3L, 5L, 8L),
                            on(caller, () -> probe(runtime, "sort_with_c_callback", List.of(5L, 3L, 8L, 1L, 2L))),
                            "qsort with a Python comparison in deploy " + deploy);
                    on(caller, () -> probe(runtime, "ident"));
                    assertEquals(1L, on(caller, () -> probe(runtime, "calls")), "a fresh module in deploy " + deploy);
                }
            }
            for (var caller : callers) {
                // What PyGILState_Ensure (ctypes, C extensions) finds on the thread once the app's states are gone.
                assertTrue(on(caller, () -> NativeFacts.gilstateIsInMain(library)),
                        "the thread's gilstate thread state is its main-interpreter one after deploy " + deploy);
            }
        }
    }

    @Test
    void inTheMainInterpreterAThreadRunsOnItsMainThreadStateAndKeepsIt() throws Throwable {
        var library = installation().library();
        var caller = platformThread("main-interpreter");
        for (int deploy = 1; deploy <= 2; deploy++) {
            try (var runtime = start(PythonRuntime.Isolation.MAIN)) {
                assertEquals(List.of(1L, 2L, 3L), on(caller, () -> probe(runtime, "sort_with_c_callback", List.of(3L, 1L, 2L))));
            }
            assertTrue(on(caller, () -> NativeFacts.gilstateIsInMain(library)));
        }
    }

    @Test
    void aDeadThreadsThreadStateIsSwept() throws Throwable {
        try (var runtime = start()) {
            int before = runtime.threadStates();
            var tid = new CompletableFuture<Long>();
            var thread = Thread.ofPlatform().name("short-lived").start(() -> {
                probe(runtime, "ident");
                tid.complete(NativeFacts.currentTid());
            });
            thread.join();
            awaitOsThreadGone(tid.get());
            assertEquals(before + 1, runtime.threadStates());
            int madeBefore = NativeFacts.madeStateCount();

            runtime.sweepDeadThreads();

            assertEquals(before, runtime.threadStates(), "the dead thread's state in the app's interpreter");
            assertEquals(0, runtime.callerThreads());
            assertTrue(NativeFacts.madeStateCount() < madeBefore, "the dead thread's main-interpreter state");
        }
    }

    @Test
    void theSystemPropertiesHoldOnlyStringsAfterCallsFromThreadsAndARedeploy() throws Throwable {
        var callers = List.of(platformThread("props-a"), platformThread("props-b"), platformThread("props-c"));
        for (int deploy = 1; deploy <= 2; deploy++) {
            try (var runtime = start()) {
                for (var caller : callers) {
                    on(caller, () -> probe(runtime, "ident"));
                }
                var shortLived = Thread.ofPlatform().name("props-short-lived").start(() -> probe(runtime, "ident"));
                shortLived.join();
                assertOnlyStrings(System.getProperties());
            }
            assertOnlyStrings(System.getProperties());
        }
        for (var caller : callers) {
            long tid = on(caller, NativeFacts::currentTid);
            var recorded = List.of(System.getProperty(NativeFacts.madeStatesProperty(), "").split(","));
            assertTrue(recorded.stream().anyMatch(pair -> pair.startsWith(tid + ":")),
                    "the live thread " + tid + " is still recorded for the sweep: " + recorded);
        }
        // What diagnostics that dump the system properties do; both cast every entry to String.
        System.getProperties().store(new StringWriter(), null);
        System.getProperties().list(new PrintWriter(new StringWriter()));
    }

    private static void assertOnlyStrings(Properties properties) {
        properties.forEach((key, value) -> {
            assertInstanceOf(String.class, key, "a system property's key");
            assertInstanceOf(String.class, value, "system property " + key);
        });
    }

    /** A joined Java thread's OS thread may still be exiting; the sweeps wait for it to be gone. */
    private static void awaitOsThreadGone(long tid) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (NativeFacts.osThreadAlive(tid)) {
            assertTrue(System.nanoTime() < deadline, "OS thread " + tid + " still there 5 s after its Java thread ended");
            Thread.sleep(5);
        }
    }

    /**
     * A platform thread {@code name} spinning in Python through onThisThread, returned once it is
     * inside; what the call ends with (null, or what it threw) completes {@code outcome}.
     */
    private static Thread spinning(PythonRuntime runtime, String name, CompletableFuture<Throwable> outcome)
            throws InterruptedException {
        var inside = new CountDownLatch(1);
        var spinner = Thread.ofPlatform().name(name).start(() -> {
            try {
                runtime.onThisThread(py -> {
                    inside.countDown();
                    return py.call(py.cachedFunction("thread_probe:spin"));
                });
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        inside.await();
        return spinner;
    }

    @Test
    void raiseTimeoutStopsPythonRunningOnAThreadAndOnlyThere() throws Throwable {
        try (var runtime = start()) {
            var idle = platformThread("idle");
            on(idle, () -> probe(runtime, "ident"));
            var outcome = new CompletableFuture<Throwable>();
            var spinner = spinning(runtime, "spinner", outcome);

            assertTrue(runtime.raiseTimeout(spinner));
            spinner.join();

            var e = assertInstanceOf(PythonException.class, outcome.get());
            assertEquals("TimeoutError", e.pythonType());
            assertFalse(runtime.raiseTimeout(spinner), "no call in flight any more");
            assertEquals(List.of(1L, 2L), on(idle, () -> probe(runtime, "sort_with_c_callback", List.of(2L, 1L))),
                    "another thread's next call is unharmed");
        }
    }

    @Test
    void aHandlerSpinningAtCloseGetsTimeoutErrorAndCloseReturns() throws Throwable {
        var runtime = start();
        var outcome = new CompletableFuture<Throwable>();
        var spinner = spinning(runtime, "spinner-at-close", outcome);

        runtime.close();

        spinner.join();
        var e = assertInstanceOf(PythonException.class, outcome.get());
        assertEquals("TimeoutError", e.pythonType());
        try (var next = start()) {
            assertEquals(0L, probe(next, "calls"), "the next deployment runs, from fresh module state");
        }
    }
}
