package dev.httpy.os;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The doorbell's thread wakes for each ring written to its pipe, and closing it ends the thread. */
class DoorbellTest {
    @Test
    void eachRingRunsTheCallbackAndCloseEndsTheThread() throws Exception {
        var rings = new Semaphore(0);
        Path writeEnd;
        Thread thread;
        try (var doorbell = Doorbell.open("test-doorbell", rings::release)) {
            writeEnd = Path.of("/proc/self/fd/" + doorbell.writeFd());
            Files.write(writeEnd, new byte[] {1});
            assertTrue(rings.tryAcquire(5, TimeUnit.SECONDS), "the first ring was not heard");
            Files.write(writeEnd, new byte[] {1});
            assertTrue(rings.tryAcquire(5, TimeUnit.SECONDS), "the second ring was not heard");
            thread = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("test-doorbell"))
                    .findFirst().orElseThrow();
        }
        thread.join(5_000);
        assertFalse(thread.isAlive(), "the doorbell thread outlived close()");
    }
}
