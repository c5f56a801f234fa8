package dev.httpy.example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jep.Interpreter;
import jep.JepException;

/**
 * A Java servlet written against Jep's API, on the web app's Python through CDI:
 * {@code GET /java/jep?n=4&factor=3} answers
 *
 * <pre>
 * fresh=true
 * squares=[0, 1, 4, 9]
 * scaled=[0, 3, 12, 27]
 * total=42
 * </pre>
 *
 * {@code fresh} says the request's interpreter started with no {@code squares} of an earlier
 * request; {@code total} is summed by the Python app's own {@code app.total}.
 */
public final class JepServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Inject
    private transient Interpreter python;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long n;
        long factor;
        try {
            n = Long.parseLong(request.getParameter("n") == null ? "5" : request.getParameter("n"));
            factor = Long.parseLong(request.getParameter("factor") == null ? "1" : request.getParameter("factor"));
        } catch (NumberFormatException e) {
            response.sendError(400, "n and factor must be whole numbers: " + e.getMessage());
            return;
        }
        String answer;
        try {
            boolean fresh = !python.getValue("'squares' in globals()", Boolean.class);
            python.set("n", n);
            python.exec("""
                    import app

                    squares = [i * i for i in range(n)]

                    def scale(values, factor=1):
                        return [v * factor for v in values]
                    """);
            List<?> squares = python.getValue("squares", List.class);
            Object scaled = python.invoke("scale", new Object[] {squares}, Map.<String, Object>of("factor", factor));
            Object total = python.invoke("app.total", scaled);
            answer = "fresh=" + fresh + "\nsquares=" + squares + "\nscaled=" + scaled + "\ntotal=" + total + "\n";
        } catch (JepException e) {
            response.sendError(500, "Python failed: " + e.getMessage());
            return;
        }
        response.setContentType("text/plain; charset=utf-8");
        response.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
    }
}
