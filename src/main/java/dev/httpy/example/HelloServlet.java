package dev.httpy.example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A plain Java servlet answering the same text as the example's Python {@code /python} route:
 * the baseline for benchmarks, and proof that requests Python does not claim reach servlets.
 */
public final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final byte[] HELLO = "hello from java".getBytes(StandardCharsets.UTF_8);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain; charset=utf-8");
        response.setContentLength(HELLO.length);
        response.getOutputStream().write(HELLO);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        doGet(request, response);
    }
}
