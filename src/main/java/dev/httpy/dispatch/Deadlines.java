package dev.httpy.dispatch;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One thread that enforces the time limits of every request in flight, so that no request needs a
 * timer of its own:
 * <ul>
 *   <li>a body that sends nothing for {@code python.body-timeout} (408),</li>
 *   <li>Python that has not answered within {@code python.timeout} (504, and TimeoutError raised
 *       in the handler), on a worker or on a container thread's fast path,</li>
 *   <li>a client that accepts nothing of its answer for {@code python.write-timeout} (dropped).</li>
 * </ul>
 * It looks every {@link #tick} (a tenth of the shortest limit, between 5 and 100 ms), so a limit
 * is kept to within that.
 */
final class Deadlines implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Deadlines.class.getName());

    /** What to do when a limit passes; each is called at most once per wait. */
    interface Actions {
        void bodyStalled(Exchange exchange);

        void pythonOverran(Exchange exchange);

        void writeStalled(Exchange exchange);

        /** A handler on a container thread's fast path overran: interrupt it. */
        void overranHere(Thread thread);
    }

    /** A container thread that runs Python itself: when its current handler began (0: none). */
    static final class HereRun {
        volatile long since;
        volatile boolean timedOut;
    }

    private final long bodyNanos;
    private final long pythonNanos;
    private final long writeNanos;
    private final Duration tick;
    private final Actions actions;
    private final Set<Exchange> exchanges = ConcurrentHashMap.newKeySet();
    private final Map<Thread, HereRun> hereRuns = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    Deadlines(String name, Duration body, Duration python, Duration write, Actions actions) {
        this.bodyNanos = body.toNanos();
        this.pythonNanos = python.toNanos();
        this.writeNanos = write.toNanos();
        long shortest = Math.min(bodyNanos, Math.min(pythonNanos, writeNanos));
        this.tick = Duration.ofNanos(Math.clamp(shortest / 10, 5_000_000L, 100_000_000L));
        this.actions = actions;
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    void track(Exchange exchange) {
        exchanges.add(exchange);
    }

    void untrack(Exchange exchange) {
        exchanges.remove(exchange);
    }

    /** The calling container thread's record, made on its first fast-path request. */
    HereRun hereRun() {
        return hereRuns.computeIfAbsent(Thread.currentThread(), t -> new HereRun());
    }

    private void run() {
        try {
            while (!closed) {
                Thread.sleep(tick);
                long now = System.nanoTime();
                for (Exchange exchange : exchanges) {
                    check(exchange, now);
                }
                for (var entry : hereRuns.entrySet()) {
                    HereRun run = entry.getValue();
                    long since = run.since;
                    if (since != 0 && !run.timedOut && now - since > pythonNanos) {
                        run.timedOut = true;
                        actions.overranHere(entry.getKey());
                    } else if (since == 0 && !entry.getKey().isAlive()) {
                        hereRuns.remove(entry.getKey());
                    }
                }
            }
        } catch (InterruptedException stop) {
            // closing
        }
    }

    private void check(Exchange exchange, long now) {
        try {
            long since = exchange.bodyWaitSince;
            if (since != 0 && now - since > bodyNanos) {
                exchange.bodyWaitSince = 0;
                actions.bodyStalled(exchange);
            }
            since = exchange.pythonSince;
            if (since != 0 && now - since > pythonNanos) {
                exchange.pythonSince = 0;
                actions.pythonOverran(exchange);
            }
            since = exchange.writeStalledSince;
            if (since != 0 && now - since > writeNanos) {
                exchange.writeStalledSince = 0;
                actions.writeStalled(exchange);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "enforcing the deadlines of " + exchange + " failed", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
