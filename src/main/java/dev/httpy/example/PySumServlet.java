package dev.httpy.example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.httpy.cdi.PythonApplication;
import dev.httpy.python.PythonException;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A Java servlet that computes in Python through CDI: {@code GET /java/py-sum?n=1&n=2&n=3.5}
 * answers {@code 6.5}, summed by {@code app.total} in the web app's Python.
 */
public final class PySumServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Inject
    private transient PythonApplication python;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<Object> numbers = new ArrayList<>();
        String[] values = request.getParameterValues("n");
        try {
            for (String value : values == null ? new String[0] : values) {
                numbers.add(value.contains(".") ? (Object) Double.parseDouble(value) : (Object) Long.parseLong(value));
            }
        } catch (NumberFormatException e) {
            response.sendError(400, "n must be numbers: " + e.getMessage());
            return;
        }
        String answer;
        try {
            answer = String.valueOf(python.call("app:total", numbers));
        } catch (PythonException e) {
            response.sendError(500, "Python raised " + e.pythonType());
            return;
        }
        response.setContentType("text/plain; charset=utf-8");
        response.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
    }
}
