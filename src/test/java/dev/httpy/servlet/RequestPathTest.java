package dev.httpy.servlet;

import java.lang.reflect.Proxy;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link PythonDispatchFilter#requestPath}: the mapping path, less a welcome file the mapper put in a directory's place. */
class RequestPathTest {

    private static HttpServletRequest request(String uri, String servletPath, String pathInfo) {
        return (HttpServletRequest) Proxy.newProxyInstance(RequestPathTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRequestURI" -> uri;
                    case "getServletPath" -> servletPath;
                    case "getPathInfo" -> pathInfo;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aPlainRequestIsItsMappingPath() {
        assertEquals("/users/7", PythonDispatchFilter.requestPath(request("/app/users/7", "", "/users/7")));
        assertEquals("/java", PythonDispatchFilter.requestPath(request("/app/java", "/java", null)));
    }

    @Test
    void aDirectoryMappedToItsWelcomeFileIsTheDirectoryAgain() {
        // Tomcat's mapper: GET /app/ with an index.html has servlet path /index.html.
        assertEquals("/", PythonDispatchFilter.requestPath(request("/app/", "/index.html", null)));
        assertEquals("/docs/", PythonDispatchFilter.requestPath(request("/app/docs/", "/docs/index.html", null)));
        assertEquals("/docs/", PythonDispatchFilter.requestPath(request("/app/docs/;jsessionid=1", "/docs/index.html", null)));
    }

    @Test
    void theFileAskedForByNameStaysTheFile() {
        assertEquals("/index.html", PythonDispatchFilter.requestPath(request("/app/index.html", "/index.html", null)));
        assertEquals("/docs/index.html",
                PythonDispatchFilter.requestPath(request("/app/docs/index.html;v=2", "/docs/index.html", null)));
    }

    @Test
    void theContainersDecodingAndNormalisingStand() {
        // The URI is raw; the mapping path is what the container made of it, and that is what routes see.
        assertEquals("/a b/", PythonDispatchFilter.requestPath(request("/app/a%20b/", "", "/a b/")));
        assertEquals("/docs/", PythonDispatchFilter.requestPath(request("/app/x/../docs/", "/docs/index.html", null)));
    }
}
