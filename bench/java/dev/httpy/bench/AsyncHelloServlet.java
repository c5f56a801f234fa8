package dev.httpy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Benchmark control, deployed only by {@code JAVA_ASYNC=1 bash bench/run.sh} (never in the WAR):
 * {@code /java-async} answers like {@code /java}, but the way httpy answers {@code /python} without
 * Python. The container thread starts async and queues the request; one of four platform threads
 * takes it from a bounded queue, writes the response and completes. So {@code /java-async} against
 * {@code /java} is the cost of the thread hand-offs and the servlet async cycle, and
 * {@code /python} against {@code /java-async} the cost of Python and the bridge.
 */
public final class AsyncHelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final byte[] HELLO = "hello from java".getBytes(StandardCharsets.UTF_8);

    private transient ThreadPoolExecutor workers;

    @Override
    public void init() {
        var count = new AtomicInteger();
        workers = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1000),
                task -> Thread.ofPlatform().name("bench-async-" + count.getAndIncrement()).daemon().unstarted(task));
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        AsyncContext async = request.startAsync();
        workers.execute(() -> {
            try {
                response.setContentType("text/plain; charset=utf-8");
                response.setContentLength(HELLO.length);
                response.getOutputStream().write(HELLO);
            } catch (IOException e) {
                // The client went away; nothing to answer.
            } finally {
                async.complete();
            }
        });
    }

    @Override
    public void destroy() {
        workers.shutdownNow();
    }
}
