package dev.httpy.e2e;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A hand-driven HTTP/1.1 client over a plain socket, for what {@code java.net.http} cannot do on
 * purpose: send a body a few bytes at a time, or not read an answer for a while.
 */
final class RawHttp implements AutoCloseable {
    /** A parsed answer. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
    }

    /**
     * Connects to the server on loopback. A small {@code receiveBuffer} (bytes; 0 for the default)
     * makes the kernel hold back little of an answer this client does not read.
     */
    static RawHttp connect(ServerProcess server, int receiveBuffer) throws IOException {
        var socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        socket.setSoTimeout(30_000);
        return new RawHttp(socket);
    }

    /** The request line and headers, with a Content-Length when {@code contentLength} is 0 or more. */
    RawHttp head(String method, String target, long contentLength) throws IOException {
        var head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (contentLength >= 0) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
            head.append("Content-Type: application/octet-stream\r\n");
        }
        head.append("\r\n");
        return send(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(byte[] bytes) throws IOException {
        return send(bytes, 0, bytes.length);
    }

    RawHttp send(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        out.flush();
        return this;
    }

    /** Reads up to {@code n} bytes of whatever arrives (head and body alike); fewer if the server closes first. */
    byte[] readSome(int n) throws IOException {
        return in.readNBytes(n);
    }

    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Reads one whole answer: status line, headers, and a body by Content-Length or chunked. */
    Response read() throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line; !(line = line()).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim(), line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        byte[] body;
        if (headers.containsKey("Content-Length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("Content-Length")));
        } else if ("chunked".equals(headers.getOrDefault("Transfer-Encoding", "").toLowerCase(Locale.ROOT))) {
            var all = new ByteArrayOutputStream();
            for (int size; (size = Integer.parseInt(line().split(";")[0].trim(), 16)) > 0; ) {
                all.write(in.readNBytes(size));
                line();
            }
            line();
            body = all.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Response(Integer.parseInt(status.substring(9, 12)), headers, body);
    }

    /** Reads until the server closes the connection (or 30 s pass), counting the bytes. */
    long readToEnd() throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
            }
        } catch (java.net.SocketException reset) {
            // a dropped connection may end in a reset rather than a clean close
        }
        return total;
    }

    private String line() throws IOException {
        var line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new EOFException("the connection closed mid-answer after: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
