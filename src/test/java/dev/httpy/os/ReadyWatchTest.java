package dev.httpy.os;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an event loop run by other threads relies on: the watch acts once when the descriptor is
 * readable or its deadline passes, not again until armed again, takes a nearer deadline while it
 * polls, and stops on close.
 */
class ReadyWatchTest {
    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name));
    }

    @Test
    void actsOnceWhenReadableAndAgainOnlyOnceArmedAgain() throws Exception {
        int[] pipe = Libc.nonBlockingPipe(0);
        var ready = new Semaphore(0);
        Thread watcher;
        try (var watch = new ReadyWatch("test-ready-watch", pipe[0], () -> { })) {
            watch.onReady(ready::release);
            watcher = thread("test-ready-watch");
            watch.arm(ReadyWatch.NEVER);
            assertFalse(ready.tryAcquire(200, TimeUnit.MILLISECONDS), "acted with nothing to read and no deadline");
            Files.write(Path.of("/proc/self/fd/" + pipe[1]), new byte[] {1});
            assertTrue(ready.tryAcquire(5, TimeUnit.SECONDS), "did not act on a readable descriptor");
            // Still readable (nobody read the byte), but not armed: it must not spin on it.
            assertFalse(ready.tryAcquire(200, TimeUnit.MILLISECONDS), "acted again without being armed");
            watch.arm(ReadyWatch.NEVER);
            assertTrue(ready.tryAcquire(5, TimeUnit.SECONDS), "armed again on a readable descriptor, it did not act");
            try (InputStream in = Files.newInputStream(Path.of("/proc/self/fd/" + pipe[0]))) {
                assertEquals(1, in.read());
            }
        }
        watcher.join(5_000);
        assertFalse(watcher.isAlive(), "the watch's thread outlived close()");
    }

    @Test
    void actsAtItsDeadlineAndTakesANearerOneWhilePolling() throws Exception {
        int[] pipe = Libc.nonBlockingPipe(0);
        var ready = new Semaphore(0);
        try (var watch = new ReadyWatch("test-ready-deadline", pipe[0], () -> { })) {
            watch.onReady(ready::release);
            long began = System.nanoTime();
            watch.arm(TimeUnit.MILLISECONDS.toNanos(100));
            assertTrue(ready.tryAcquire(5, TimeUnit.SECONDS), "did not act at its deadline");
            assertTrue(System.nanoTime() - began >= TimeUnit.MILLISECONDS.toNanos(95), "acted before its deadline");

            watch.arm(TimeUnit.SECONDS.toNanos(60));
            Thread.sleep(100); // it polls now, for up to a minute
            began = System.nanoTime();
            watch.arm(TimeUnit.MILLISECONDS.toNanos(50));
            assertTrue(ready.tryAcquire(5, TimeUnit.SECONDS), "a nearer deadline did not wake the poll");
            assertTrue(System.nanoTime() - began < TimeUnit.SECONDS.toNanos(5));
            watch.arm(TimeUnit.MILLISECONDS.toNanos(50));
            watch.arm(TimeUnit.SECONDS.toNanos(60)); // a later one does not push the nearer back
            assertTrue(ready.tryAcquire(5, TimeUnit.SECONDS), "a later deadline replaced the nearer one");
        }
    }
}
