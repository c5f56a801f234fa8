package dev.httpy.servlet;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.httpy.runtime.PythonRuntime;

import jakarta.servlet.ServletContext;

/**
 * Replaces the web app's interpreter while it serves: when a file of the app changes
 * ({@code python.reload}) and after {@code python.max-requests} requests (gunicorn's
 * {@code max_requests}).
 *
 * <p>A replacement starts a fresh sub-interpreter, loads the app there and starts every Python
 * filter's workers on it, all beside the old one, which serves meanwhile. Only when all of that
 * worked do the filters switch: new requests go to the new interpreter, and the old one finishes
 * the requests it took (each filter's python.timeout at most) and is then ended. When loading
 * fails (a syntax error, an import that raises), the new interpreter is ended, the old code keeps
 * serving and the log has the error with its traceback. One replacement runs at a time, on a
 * thread of its own; the old interpreters end on another.
 */
final class AppReplacer implements AutoCloseable {
    static final String ATTRIBUTE = AppReplacer.class.getName();
    private static final System.Logger LOG = System.getLogger(AppReplacer.class.getName());
    /** A change is acted on once the app's files have been quiet this long (an editor saves in steps). */
    private static final Duration QUIET = Duration.ofMillis(300);
    /** How long stopping the web app waits for a replacement under way. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final ServletContext context;
    private final Supplier<PythonRuntime> fresh;
    private final int maxRequests;
    private final int jitter;
    private final List<PythonDispatchFilter> filters = new CopyOnWriteArrayList<>();
    private final ExecutorService replacing;
    private final ExecutorService retiring;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicLong served = new AtomicLong();
    private volatile long limit;
    private volatile PythonRuntime current;
    private final WatchService watcher;
    private final Thread watching;
    private volatile boolean closed;

    /**
     * @param fresh   starts a fresh interpreter for the app, as the listener started {@code first}
     * @param watched the directories whose files reload the app, or empty
     */
    AppReplacer(ServletContext context, PythonRuntime first, Supplier<PythonRuntime> fresh, List<Path> watched,
                int maxRequests, int jitter) {
        this.context = context;
        this.current = first;
        this.fresh = fresh;
        this.maxRequests = maxRequests;
        this.jitter = jitter;
        this.limit = nextLimit();
        String app = context.getContextPath().isEmpty() ? "ROOT" : context.getContextPath().substring(1);
        this.replacing = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("httpy-replace-" + app).factory());
        this.retiring = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("httpy-retire-" + app, 1).factory());
        if (watched.isEmpty()) {
            watcher = null;
            watching = null;
            return;
        }
        try {
            watcher = FileSystems.getDefault().newWatchService();
            for (Path dir : watched) {
                watchTree(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("context-param python.reload=true: cannot watch " + watched + ": " + e, e);
        }
        watching = Thread.ofPlatform().daemon().name("httpy-watch-" + app).start(this::watch);
    }

    private long nextLimit() {
        return maxRequests == 0 ? Long.MAX_VALUE : maxRequests + ThreadLocalRandom.current().nextInt(jitter + 1);
    }

    void add(PythonDispatchFilter filter) {
        synchronized (this) {
            filters.add(filter);
        }
    }

    /** Waits for a replacement under way, so that the filter's current mount is its last. */
    void remove(PythonDispatchFilter filter) {
        synchronized (this) {
            filters.remove(filter);
        }
    }

    /** A request went to Python; the one that reaches python.max-requests starts a replacement. */
    void counted() {
        if (maxRequests > 0 && served.incrementAndGet() == limit) {
            replaceSoon("after " + limit + " requests (python.max-requests)");
        }
    }

    /** Asks for a replacement; one already asked for and not begun covers this one too. */
    void replaceSoon(String why) {
        if (closed || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            replacing.execute(() -> {
                pending.set(false);
                replace(why);
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            pending.set(false);
        }
    }

    /**
     * Starts the app on a fresh interpreter and switches every filter to it, or leaves all as they
     * are when that fails; true if it switched. The old interpreter ends once its requests are answered.
     */
    boolean replace(String why) {
        long since = System.nanoTime();
        PythonRuntime old;
        List<PythonDispatchFilter.Mount> replaced = new ArrayList<>();
        List<PythonDispatchFilter> owners;
        synchronized (this) {
            if (closed) {
                return false;
            }
            PythonRuntime next;
            List<PythonDispatchFilter.Mount> mounts = new ArrayList<>();
            try {
                next = fresh.get();
            } catch (RuntimeException e) {
                failed(why, e);
                return false;
            }
            try {
                for (var filter : filters) {
                    mounts.add(filter.mountOn(next));
                }
            } catch (RuntimeException e) {
                for (int i = 0; i < mounts.size(); i++) {
                    filters.get(i).retire(mounts.get(i), () -> false);
                }
                next.close();
                failed(why, e);
                return false;
            }
            for (int i = 0; i < mounts.size(); i++) {
                replaced.add(filters.get(i).swap(mounts.get(i)));
            }
            owners = List.copyOf(filters);
            old = current;
            current = next;
            context.setAttribute(PythonLifecycleListener.RUNTIME_ATTRIBUTE, next);
            served.set(0);
            limit = nextLimit();
        }
        long unanswered = replaced.stream().mapToLong(mount -> mount.dispatcher.admitted()).sum();
        LOG.log(System.Logger.Level.INFO, "httpy: " + context.getContextPath() + ": the Python app was replaced " + why
                + ", in " + (System.nanoTime() - since) / 1_000_000 + " ms; " + unanswered
                + " requests still in the old interpreter finish there");
        Runnable retire = () -> {
            for (int i = 0; i < replaced.size(); i++) {
                owners.get(i).retire(replaced.get(i), () -> !closed);
            }
            old.close();
        };
        try {
            retiring.execute(retire);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            retire.run();
        }
        return true;
    }

    private void failed(String why, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "httpy: " + context.getContextPath() + ": replacing the Python app " + why
                + " failed, so the code loaded before keeps serving: " + e.getMessage());
    }

    /** The interpreter that serves now. */
    PythonRuntime current() {
        return current;
    }

    // ---- python.reload ----

    private void watchTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && ignored(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Bytecode caches, hidden files and editors' backups change without the app changing. */
    private static boolean ignored(Path path) {
        String name = path.getFileName().toString();
        return name.equals("__pycache__") || name.startsWith(".") || name.endsWith("~") || name.endsWith(".pyc")
                || name.endsWith(".swp") || name.endsWith(".swx") || name.startsWith("#");
    }

    private void watch() {
        try {
            while (true) {
                Path changed = changeIn(watcher.take());
                if (changed == null) {
                    continue;
                }
                // Wait for the files to be quiet: an editor or a copy writes in several steps.
                for (WatchKey more; (more = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null; ) {
                    changeIn(more);
                }
                replaceSoon("after a change to " + changed + " (python.reload)");
            }
        } catch (InterruptedException | ClosedWatchServiceException stopping) {
            // close()
        }
    }

    /** The first file of {@code key}'s events that matters, or null; new directories are watched too. */
    private Path changeIn(WatchKey key) {
        Path found = null;
        Path dir = (Path) key.watchable();
        for (var event : key.pollEvents()) {
            if (!(event.context() instanceof Path name)) {
                found = found == null ? dir : found; // overflow: something changed
                continue;
            }
            Path path = dir.resolve(name);
            if (ignored(path)) {
                continue;
            }
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(path)) {
                try {
                    watchTree(path);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "httpy: cannot watch the new directory " + path + ": " + e);
                }
            }
            found = found == null ? path : found;
        }
        key.reset();
        return found;
    }

    /**
     * Stops watching and replacing; waits for a replacement under way and lets the old
     * interpreters stop at once. The current interpreter is the listener's to close.
     */
    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the file watcher: " + e);
            }
            watching.interrupt();
        }
        replacing.shutdown();
        try {
            replacing.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Old interpreters drain no longer (closed): they stop now. Not by interrupting their threads,
        // which would cut their own stop short and leave an interpreter behind.
        retiring.shutdown();
        try {
            if (!replacing.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    || !retiring.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "httpy: a replacement of the Python app was still under way after "
                        + STOP_WAIT.toSeconds() + " s of stopping");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
