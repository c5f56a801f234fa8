package dev.httpy.e2e;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import dev.httpy.it.HttpClientSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jep's API in a real Tomcat 11: the packaged example WAR's {@code /java/jep} servlet injects a
 * {@code jep.Interpreter} (one per request, on the web app's Python) and uses set, exec,
 * getValue and invoke, the last also on the app's own module ({@code app.total}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatJepIT {
    private ServerProcess server;

    @BeforeAll
    void start() {
        server = ServerProcess.tomcat("tomcat-jep");
        server.deploy(Path.of(System.getProperty("httpy.test.war", "target/httpy.war")), "app");
        server.start().awaitStatus("/app/java", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClientSupport.get(server.uri("/app" + path));
    }

    @Test
    void aServletUsesSetExecGetValueAndInvokeOnTheAppsPython() throws Exception {
        var response = get("/java/jep?n=4&factor=3");
        assertEquals(200, response.statusCode(), response.body() + "\n" + server.logTail(40));
        assertEquals("fresh=true\nsquares=[0, 1, 4, 9]\nscaled=[0, 3, 12, 27]\ntotal=42\n", response.body());
    }

    @Test
    void eachRequestHasAnInterpreterOfItsOwn() throws Exception {
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var answers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
            for (int n = 0; n < 24; n++) {
                String path = "/java/jep?n=" + n + "&factor=2";
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return get(path);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            for (int n = 0; n < answers.size(); n++) {
                var response = answers.get(n).get();
                assertEquals(200, response.statusCode(), response.body());
                long total = 0;
                for (int i = 0; i < n; i++) {
                    total += 2L * i * i;
                }
                assertTrue(response.body().startsWith("fresh=true\n"), response.body());
                assertTrue(response.body().endsWith("\ntotal=" + total + "\n"), n + ": " + response.body());
            }
        }
    }

    @Test
    void badNumbersAreTheServletsOwn400() throws Exception {
        assertEquals(400, get("/java/jep?n=many").statusCode());
        assertFalse(server.log().contains("JepException"), server.logTail(40));
    }
}
