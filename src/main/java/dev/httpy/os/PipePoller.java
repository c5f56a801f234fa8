package dev.httpy.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One thread that waits, with poll(2), for full {@link BodyPipe}s to have room again and then
 * calls their owners back, so that a body arriving faster than the app reads it costs no thread
 * per request. It sleeps on a Java monitor while no pipe is full, and polls with a short timeout
 * (so new pipes join within {@value #POLL_MILLIS} ms) while some are.
 */
public final class PipePoller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PipePoller.class.getName());
    private static final MethodHandle POLL = Libc.function("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final short POLLOUT = 0x4;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    /** struct pollfd {int fd; short events; short revents;} */
    private static final int POLLFD_BYTES = 8;
    static final int POLL_MILLIS = 10;

    private final Map<BodyPipe, Runnable> waiting = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    public PipePoller(String name) {
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Calls {@code resume} (on the poller's thread) once {@code pipe} can take bytes again, or its reader has gone. */
    public void whenWritable(BodyPipe pipe, Runnable resume) {
        synchronized (waiting) {
            if (closed) {
                throw new IllegalStateException("the body pipe poller has stopped");
            }
            waiting.put(pipe, resume);
            waiting.notifyAll();
        }
    }

    /** Forgets a pipe that is done with (discarded, or the request ended). */
    public void forget(BodyPipe pipe) {
        synchronized (waiting) {
            waiting.remove(pipe);
        }
    }

    private void run() {
        try (var arena = Arena.ofConfined()) {
            MemorySegment fds = MemorySegment.NULL;
            int capacity = 0;
            while (!closed) {
                List<Map.Entry<BodyPipe, Runnable>> now;
                synchronized (waiting) {
                    while (waiting.isEmpty() && !closed) {
                        waiting.wait();
                    }
                    now = new ArrayList<>(waiting.entrySet());
                }
                if (closed) {
                    return;
                }
                if (now.size() > capacity) {
                    capacity = Math.max(now.size(), capacity * 2);
                    fds = arena.allocate((long) capacity * POLLFD_BYTES);
                }
                for (int i = 0; i < now.size(); i++) {
                    fds.set(JAVA_INT, (long) i * POLLFD_BYTES, now.get(i).getKey().writeFd());
                    fds.set(JAVA_SHORT, (long) i * POLLFD_BYTES + 4, POLLOUT);
                    fds.set(JAVA_SHORT, (long) i * POLLFD_BYTES + 6, (short) 0);
                }
                int ready = (int) POLL.invokeExact(fds, (long) now.size(), POLL_MILLIS);
                for (int i = 0; ready > 0 && i < now.size(); i++) {
                    short revents = fds.get(JAVA_SHORT, (long) i * POLLFD_BYTES + 6);
                    if ((revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
                        var entry = now.get(i);
                        boolean stillWaiting;
                        synchronized (waiting) {
                            stillWaiting = waiting.remove(entry.getKey(), entry.getValue());
                        }
                        if (stillWaiting) {
                            resume(entry.getValue());
                        }
                    }
                }
            }
        } catch (InterruptedException stop) {
            // closing
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.ERROR, "the body pipe poller stopped", e);
        }
    }

    private static void resume(Runnable resume) {
        try {
            resume.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "resuming a request body failed", e);
        }
    }

    @Override
    public void close() {
        synchronized (waiting) {
            closed = true;
            waiting.clear();
            waiting.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
