package dev.httpy.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Waits, on a platform thread of its own, until a descriptor someone else owns is readable or a
 * deadline passes, then runs an action once and waits for the next {@link #arm}. For an event
 * loop run by other threads in turns: its epoll descriptor is readable when I/O it waits for is
 * ready, and its next timer is the deadline.
 *
 * <p>The thread polls the descriptor and a pipe of its own, which {@link #arm} writes to only when
 * the thread must wake to take a nearer deadline; re-arming with the same or a later one, or none,
 * costs no system call.
 */
public final class ReadyWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReadyWatch.class.getName());
    private static final MethodHandle POLL = Libc.function("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = Libc.function("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = Libc.function("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final short POLLIN = 0x1;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLNVAL = 0x20;
    /** struct pollfd {int fd; short events; short revents;} */
    private static final int POLLFD_BYTES = 8;
    /** No deadline. */
    public static final long NEVER = Long.MAX_VALUE;

    private final int fd;
    private volatile Runnable ready;
    private final int[] wake;
    private final Thread thread;
    /** Watching (polling, or about to): set by {@link #arm}, cleared when the action runs. */
    private boolean armed;
    /** When to run the action even if the descriptor stays quiet: System.nanoTime(), or NEVER. */
    private long deadline = NEVER;
    /** The thread is in poll(), which wakes at {@link #polling} at the latest. */
    private boolean inPoll;
    private long polling = NEVER;
    private boolean closed;

    /** Starts the thread, unarmed: it watches once {@link #arm} is called. */
    public ReadyWatch(String name, int fd, Runnable ready) throws IOException {
        this.fd = fd;
        this.ready = ready;
        this.wake = Libc.nonBlockingPipe(0);
        this.thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** What to run when the descriptor is ready or the deadline has passed; before the first {@link #arm}. */
    public void onReady(Runnable ready) {
        this.ready = ready;
    }

    /**
     * Watches again: the action runs once the descriptor is readable or {@code delayNanos} have
     * passed ({@link #NEVER}: no deadline), whichever is first. While already armed, keeps the
     * nearer of the two deadlines.
     */
    public void arm(long delayNanos) {
        long at = delayNanos == NEVER ? NEVER : System.nanoTime() + Math.max(0, delayNanos);
        boolean interrupt;
        synchronized (this) {
            if (closed) {
                return;
            }
            long next = armed ? earlier(deadline, at) : at;
            if (armed && next == deadline) {
                return; // watching already, with this deadline
            }
            deadline = next;
            armed = true;
            // A poll under way wakes for the descriptor or its own deadline; a nearer one needs a wake-up.
            interrupt = inPoll && earlier(polling, next) != polling;
            notifyAll();
        }
        if (interrupt) {
            signal();
        }
    }

    private static long earlier(long a, long b) {
        if (a == NEVER) {
            return b;
        }
        if (b == NEVER) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    private void run() {
        try (var arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(2L * POLLFD_BYTES);
            MemorySegment drain = arena.allocate(64);
            fds.set(JAVA_INT, 0, fd);
            fds.set(JAVA_SHORT, 4, POLLIN);
            fds.set(JAVA_INT, POLLFD_BYTES, wake[0]);
            fds.set(JAVA_SHORT, POLLFD_BYTES + 4, POLLIN);
            while (true) {
                long until;
                synchronized (this) {
                    while (!armed && !closed) {
                        wait();
                    }
                    if (closed) {
                        return;
                    }
                    until = deadline;
                    polling = until;
                    inPoll = true;
                }
                int timeout = until == NEVER ? -1
                        : (int) Math.min(Integer.MAX_VALUE, Math.max(0, (until - System.nanoTime() + 999_999) / 1_000_000));
                fds.set(JAVA_SHORT, 6, (short) 0);
                fds.set(JAVA_SHORT, POLLFD_BYTES + 6, (short) 0);
                int found = (int) POLL.invokeExact(fds, 2L, timeout);
                if (found > 0 && fds.get(JAVA_SHORT, POLLFD_BYTES + 6) != 0) {
                    long unused = (long) READ.invokeExact(wake[0], drain, 64L);
                }
                boolean fire;
                synchronized (this) {
                    inPoll = false;
                    polling = NEVER;
                    if (closed) {
                        return;
                    }
                    short revents = found > 0 ? fds.get(JAVA_SHORT, 6) : 0;
                    if ((revents & POLLNVAL) != 0) {
                        LOG.log(System.Logger.Level.ERROR, "{0}: descriptor {1} was closed under it; it stops watching",
                                thread.getName(), fd);
                        closed = true;
                        return;
                    }
                    boolean readable = (revents & (POLLIN | POLLERR | POLLHUP)) != 0;
                    boolean due = deadline != NEVER && deadline - System.nanoTime() <= 0;
                    fire = readable || due;
                    if (fire) {
                        armed = false;
                        deadline = NEVER;
                    }
                }
                if (fire) {
                    try {
                        ready.run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, thread.getName() + ": acting on readiness failed", e);
                    }
                }
            }
        } catch (InterruptedException stop) {
            // closed
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, thread.getName() + " stopped", e);
        }
    }

    private void signal() {
        try (var arena = Arena.ofConfined()) {
            long unused = (long) WRITE.invokeExact(wake[1], arena.allocate(JAVA_BYTE), 1L);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "cannot wake " + thread.getName(), e);
        }
    }

    /** Stops the thread (it runs the action no more) and waits for it; the descriptor watched stays open. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        signal();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            int unused = (int) CLOSE.invokeExact(wake[0]);
            unused = (int) CLOSE.invokeExact(wake[1]);
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "cannot close " + thread.getName() + "'s pipe", e);
        }
    }
}
