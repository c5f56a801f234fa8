package dev.httpy.e2e;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

/** The Java side IdentityContract's web app has, as a real web app would: a filter and a servlet. */
final class JavaSideOfTheRequest {
    private JavaSideOfTheRequest() {
    }

    /** Sets request attributes as a tenant or tracing filter would, one of them a value Python may not have. */
    public static final class AttributesFilter implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            request.setAttribute("tenant", "acme");
            request.setAttribute("trace.count", 7);
            request.setAttribute("ratio", 0.5);
            request.setAttribute("sampled", true);
            request.setAttribute("connection", new StringBuilder("not for Python"));
            chain.doFilter(request, response);
        }
    }

    /** GET ?put=name&value=v stores a string in the session (making one); ?get=name shows a value and its Java type. */
    public static final class SessionServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            if (request.getParameter("put") instanceof String name) {
                HttpSession session = request.getSession(true);
                session.setAttribute(name, request.getParameter("value"));
                session.setAttribute("not-for-python", new StringBuilder("a Java object"));
                response.getWriter().print("stored " + name);
                return;
            }
            HttpSession session = request.getSession(false);
            Object value = session == null ? null : session.getAttribute(request.getParameter("get"));
            response.getWriter().print(value == null ? "none" : value + " (" + value.getClass().getSimpleName() + ")");
        }
    }
}
