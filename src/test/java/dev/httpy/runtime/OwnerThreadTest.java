package dev.httpy.runtime;

import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The owner thread runs every task of an app on one platform thread and nothing after its last. */
class OwnerThreadTest {

    @Test
    void tasksFromAnyThreadRunOnTheOwnerThread() {
        var owner = new OwnerThread("owner-under-test", 60_000);
        try {
            String ranOn = owner.call(() -> Thread.currentThread().getName());
            assertEquals("owner-under-test", ranOn);
            assertEquals("nested", owner.call(() -> owner.call(() -> "nested")), "a task may call again without waiting on itself");
        } finally {
            owner.stop(() -> null);
        }
    }

    @Test
    void aTaskFailureReachesTheCaller() {
        var owner = new OwnerThread("owner-failing", 60_000);
        try {
            var e = assertThrows(IllegalArgumentException.class, () -> owner.call(() -> {
                throw new IllegalArgumentException("bad value");
            }));
            assertEquals("bad value", e.getMessage());
        } finally {
            owner.stop(() -> null);
        }
    }

    @Test
    void afterTheLastTaskNothingRunsAndNoCallerWaits() {
        var owner = new OwnerThread("owner-stopping", 60_000);
        var ranAfterLast = new boolean[1];
        owner.stop(() -> null);

        var e = assertThrows(IllegalStateException.class, () -> owner.call(() -> ranAfterLast[0] = true));

        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertFalse(ranAfterLast[0]);
    }

    @Test
    void theIdleActionRunsWhenNoTaskComes() throws InterruptedException {
        var owner = new OwnerThread("owner-idle", 1);
        var idled = new CountDownLatch(1);
        var idleThread = new String[1];
        owner.onIdle(() -> {
            idleThread[0] = Thread.currentThread().getName();
            idled.countDown();
        });
        idled.await();
        owner.stop(() -> null);
        assertEquals("owner-idle", idleThread[0]);
    }
}
