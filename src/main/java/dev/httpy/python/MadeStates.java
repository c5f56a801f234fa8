package dev.httpy.python;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.httpy.os.Libc;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The main-interpreter thread states {@link CPython} made for threads running Python on their
 * own (onThisThread), across web apps and httpy versions, so that whichever app sweeps next
 * deletes those of threads that have died.
 *
 * <p>Kept as one String-valued system property, {@code tid:address} pairs joined by commas: every
 * entry of the system properties stays a String (code that lists or stores them casts each one),
 * and JDK strings pin no web app's class loader, so the registry outlives redeploys. A thread is
 * named by its OS thread id and is dead once {@code /proc/self/task/<tid>} is gone; a tid the
 * kernel has given to a new thread meanwhile only delays the sweep of the old state.
 *
 * <p>Read-modify-write happens under {@link #LOCK}, a string literal and so one object across
 * class loaders. It is not {@link CPython#LOCK}: an app's start holds that while it waits for its
 * owner thread, whose stop (when the start fails) sweeps here, and a request thread's first call
 * must not wait for another app's start.
 */
final class MadeStates {
    static final String PROPERTY = "dev.httpy.python.mainThreadStatesByTid";
    private static final Object LOCK = "dev.httpy.python.mainThreadStatesByTid";
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final Optional<MethodHandle> GETTID = Libc.optionalFunction("gettid", FunctionDescriptor.of(JAVA_INT));

    private MadeStates() {
    }

    /** Records the state made for the calling thread, to be swept once the thread is gone. */
    static void add(long address) {
        long tid = currentTid();
        synchronized (LOCK) {
            var states = read();
            states.put(address, tid);
            write(states);
        }
    }

    /** Forgets and returns the addresses of states whose threads have died; the caller deletes them. */
    static List<Long> takeDead() {
        var dead = new ArrayList<Long>();
        synchronized (LOCK) {
            var states = read();
            states.entrySet().removeIf(entry -> {
                if (isAlive(entry.getValue())) {
                    return false;
                }
                dead.add(entry.getKey());
                return true;
            });
            if (!dead.isEmpty()) {
                write(states);
            }
        }
        return dead;
    }

    /** States recorded and not yet swept. */
    static int count() {
        synchronized (LOCK) {
            return read().size();
        }
    }

    /** The calling thread's OS thread id, or 0 if it cannot be told (then its state is never swept). */
    static long currentTid() {
        if (GETTID.isPresent()) {
            try {
                return (int) GETTID.get().invokeExact();
            } catch (Throwable e) {
                throw new IllegalStateException("gettid failed", e);
            }
        }
        try {
            // "<pid>/task/<tid>" on Linux before glibc 2.30, which lacks gettid.
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            return 0;
        }
    }

    /** False only when the thread is certainly gone: a tid that cannot be checked counts as alive. */
    static boolean isAlive(long tid) {
        return tid <= 0 || !Files.isDirectory(TASKS) || Files.exists(TASKS.resolve(Long.toString(tid)));
    }

    /** Address -> tid, in the order they were added; entries this version cannot read are dropped. */
    private static Map<Long, Long> read() {
        var states = new LinkedHashMap<Long, Long>();
        String value = System.getProperty(PROPERTY, "");
        for (String pair : value.split(",")) {
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            try {
                long tid = Long.parseLong(pair, 0, colon, 10);
                long address = Long.parseUnsignedLong(pair, colon + 1, pair.length(), 16);
                states.put(address, tid);
            } catch (NumberFormatException malformed) {
                // written by someone else: not ours to delete
            }
        }
        return states;
    }

    private static void write(Map<Long, Long> states) {
        if (states.isEmpty()) {
            System.clearProperty(PROPERTY);
            return;
        }
        var value = new StringBuilder(states.size() * 20);
        states.forEach((address, tid) -> {
            if (!value.isEmpty()) {
                value.append(',');
            }
            value.append(tid).append(':').append(Long.toHexString(address));
        });
        System.setProperty(PROPERTY, value.toString());
    }
}
