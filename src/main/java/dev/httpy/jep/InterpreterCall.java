package dev.httpy.jep;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.httpy.python.Python;
import dev.httpy.workers.PythonTask;

/**
 * One call of an {@link HttpyInterpreter} on a worker: runs {@code work} with the GIL; for an
 * interpreter that redirects its output, takes what the call wrote to {@code sys.stdout} and
 * {@code sys.stderr} too, and writes it to the Java streams once the GIL is released, before the
 * caller gets the result. Output written before an error reaches the streams as well.
 */
final class InterpreterCall<T> implements PythonTask {
    private final Function<Python, T> work;
    private final long interpreterId;
    private final JepSettings settings;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    InterpreterCall(Function<Python, T> work, long interpreterId, JepSettings settings) {
        this.work = work;
        this.interpreterId = interpreterId;
        this.settings = settings;
    }

    CompletableFuture<T> result() {
        return result;
    }

    @Override
    public Runnable runWithGil(Python py) {
        T value = null;
        RuntimeException failure = null;
        try {
            value = work.apply(py);
        } catch (RuntimeException e) {
            failure = e;
        }
        if (!settings.redirects()) {
            complete(value, failure);
            return null;
        }
        List<?> output;
        try {
            output = (List<?>) py.call(py.cachedFunction(HttpyInterpreter.GLUE + ":take_output"), interpreterId);
        } catch (RuntimeException e) {
            complete(null, failure != null ? failure : e);
            return null;
        }
        T answer = value;
        RuntimeException error = failure;
        return () -> {
            RuntimeException writeFailure = null;
            try {
                write(settings.stdout(), (String) output.get(0));
                write(settings.stderr(), (String) output.get(1));
            } catch (UncheckedIOException e) {
                writeFailure = e;
            }
            complete(answer, error != null ? error : writeFailure);
        };
    }

    @Override
    public void abandon() {
        result.completeExceptionally(new IllegalStateException("the Python workers stopped before the call ran"));
    }

    private void complete(T value, RuntimeException failure) {
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(value);
        }
    }

    private static void write(OutputStream stream, String text) {
        if (stream == null || text.isEmpty()) {
            return;
        }
        try {
            stream.write(text.getBytes(StandardCharsets.UTF_8));
            stream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Python's output to " + stream + ": " + e.getMessage(), e);
        }
    }
}
