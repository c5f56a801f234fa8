package dev.httpy.dispatch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A container's side of one request, as the dispatch core meets it, for unit tests: an output
 * stream that takes only as many bytes as the client has room for (as a non-blocking container's
 * does), an input stream that has only what the client has sent so far, a response that records
 * its status and headers, and an AsyncContext that counts its completions.
 */
final class FakeServlet {
    /** A client that reads when the test says so: {@link #room} bytes more may be written before isReady() is false. */
    static final class Output extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        long room;
        int flushes;
        boolean failing;
        WriteListener listener;

        Output(long room) {
            this.room = room;
        }

        /** The client read {@code bytes} more; the container then tells the listener it may write. */
        void clientReads(long bytes) throws IOException {
            room += bytes;
            listener.onWritePossible();
        }

        @Override
        public boolean isReady() {
            return room > 0;
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            listener = writeListener;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (failing) {
                throw new IOException("Broken pipe");
            }
            if (room <= 0) {
                throw new IllegalStateException("write while not ready");
            }
            written.write(b, off, len);
            room -= len; // a container buffers what it accepted when isReady() was true
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    /** A body that arrives as the test sends it. */
    static final class Input extends ServletInputStream {
        private final List<byte[]> arrived = new ArrayList<>();
        private boolean finished;
        ReadListener listener;

        /** The client sent {@code bytes}; the container tells the listener. */
        void clientSends(byte[] bytes) throws IOException {
            arrived.add(bytes);
            listener.onDataAvailable();
        }

        /** The client's body ended. */
        void clientEnds() throws IOException {
            finished = true;
            listener.onAllDataRead();
        }

        @Override
        public boolean isFinished() {
            return finished && arrived.isEmpty();
        }

        @Override
        public boolean isReady() {
            return !arrived.isEmpty();
        }

        @Override
        public void setReadListener(ReadListener readListener) {
            listener = readListener;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (arrived.isEmpty()) {
                return finished ? -1 : 0;
            }
            byte[] first = arrived.getFirst();
            int n = Math.min(len, first.length);
            System.arraycopy(first, 0, b, off, n);
            if (n == first.length) {
                arrived.removeFirst();
            } else {
                arrived.set(0, java.util.Arrays.copyOfRange(first, n, first.length));
            }
            return n;
        }
    }

    final Output out;
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    int status = 200;
    int completions;
    final List<AsyncListener> asyncListeners = new ArrayList<>();
    final HttpServletResponse response;
    final AsyncContext async;

    FakeServlet(long clientRoom) {
        out = new Output(clientRoom);
        response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getOutputStream" -> out;
                    case "setStatus" -> {
                        status = (Integer) args[0];
                        yield null;
                    }
                    case "getStatus" -> status;
                    case "addHeader" -> {
                        headers.computeIfAbsent(((String) args[0]).toLowerCase(), k -> new ArrayList<>()).add((String) args[1]);
                        yield null;
                    }
                    case "setHeader" -> {
                        headers.put(((String) args[0]).toLowerCase(), new ArrayList<>(List.of((String) args[1])));
                        yield null;
                    }
                    case "isCommitted" -> out.written.size() > 0;
                    case "containsHeader" -> headers.containsKey(((String) args[0]).toLowerCase());
                    case "setContentLengthLong" -> {
                        headers.put("content-length", List.of(String.valueOf(args[0])));
                        yield null;
                    }
                    case "getBufferSize" -> 8192;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
        async = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AsyncContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "addListener" -> {
                        asyncListeners.add((AsyncListener) args[0]);
                        yield null;
                    }
                    case "complete" -> {
                        completions++;
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }

    String header(String name) {
        var values = headers.get(name.toLowerCase());
        return values == null ? null : String.join(", ", values);
    }
}
