package dev.httpy.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadlinesTest {
    private final List<String> actions = new CopyOnWriteArrayList<>();

    private Deadlines deadlines(Duration body, Duration python, Duration write) {
        return new Deadlines("test-deadlines", body, python, write, new Deadlines.Actions() {
            @Override
            public void bodyStalled(Exchange exchange) {
                actions.add("408 " + exchange);
            }

            @Override
            public void pythonOverran(Exchange exchange) {
                actions.add("504 " + exchange);
            }

            @Override
            public void writeStalled(Exchange exchange) {
                actions.add("drop " + exchange);
            }

            @Override
            public void overranHere(Thread thread) {
                actions.add("interrupt " + thread.getName());
            }
        });
    }

    private static Exchange exchange(String path) {
        return Exchange.blocking("GET", path, null, () -> { });
    }

    /** Waits (at most 10 s) until {@code count} actions were taken; then a little longer, to catch repeats. */
    private void awaitActions(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (actions.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(300);
    }

    @Test
    void eachPassedLimitActsOnceOnItsExchange() throws Exception {
        try (var deadlines = deadlines(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50))) {
            // given: three exchanges, each waiting on one thing since long ago, and one that waits on nothing
            var body = exchange("/body");
            var python = exchange("/python");
            var write = exchange("/write");
            var idle = exchange("/idle");
            long longAgo = System.nanoTime() - Duration.ofSeconds(1).toNanos();
            body.bodyWaitSince = longAgo;
            python.pythonSince = longAgo;
            write.writeStalledSince = longAgo;
            for (Exchange e : List.of(body, python, write, idle)) {
                deadlines.track(e);
            }
            // when
            awaitActions(3);
            // then
            assertEquals(3, actions.size(), actions.toString());
            assertTrue(actions.containsAll(List.of("408 GET /body", "504 GET /python", "drop GET /write")), actions.toString());
        }
    }

    @Test
    void anExchangeThatKeepsMakingProgressIsLeftAlone() throws Exception {
        try (var deadlines = deadlines(Duration.ofMillis(200), Duration.ofSeconds(60), Duration.ofSeconds(60))) {
            var trickling = exchange("/trickle");
            deadlines.track(trickling);
            for (int i = 0; i < 20; i++) {
                trickling.bodyWaitSince = System.nanoTime() | 1; // a few bytes arrived
                Thread.sleep(25);
            }
            assertTrue(actions.isEmpty(), actions.toString());
        }
    }

    @Test
    void anUntrackedExchangeIsNotActedOn() throws Exception {
        try (var deadlines = deadlines(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofMillis(50))) {
            var done = exchange("/done");
            done.pythonSince = System.nanoTime() - Duration.ofSeconds(1).toNanos();
            deadlines.track(done);
            deadlines.untrack(done);
            Thread.sleep(300);
            assertTrue(actions.isEmpty(), actions.toString());
        }
    }

    @Test
    void aContainerThreadRunningPythonPastTheTimeoutIsInterruptedOnce() throws Exception {
        try (var deadlines = deadlines(Duration.ofSeconds(60), Duration.ofMillis(50), Duration.ofSeconds(60))) {
            var thread = Thread.ofPlatform().name("container-1").start(() -> {
                var run = deadlines.hereRun();
                run.since = System.nanoTime() | 1;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                run.since = 0;
            });
            awaitActions(1);
            thread.join();
            assertEquals(List.of("interrupt container-1"), actions);
        }
    }
}
