package dev.httpy.e2e;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged example WAR in a real server: its root page, and its two languages calling each other. Python calls a
 * CDI bean: the WAR exposes its {@code @Named("pricing")} bean through the context-param
 * {@code python.beans}, and {@code app.py}'s {@code /py-java/:call} route calls it with
 * {@code httpy.java("pricing")}. Java uses Jep's API: the {@code /java/jep} servlet injects a
 * {@code jep.Interpreter} (one per request, on the web app's Python) and uses set, exec, getValue
 * and invoke, the last also on the app's own module ({@code app.total}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ExampleWarContract {
    private ServerProcess server;

    abstract ServerProcess newServer();

    @BeforeAll
    void start() throws Exception {
        server = newServer();
        Path war = Path.of(System.getProperty("httpy.test.war", "target/httpy.war"));
        server.deploy(war, "app");
        // Another web app of the same server, with the same bean and Python code, that exposes nothing.
        var other = ShrinkWrap.createFromZipFile(WebArchive.class, war.toFile());
        String webXml = new String(other.get("WEB-INF/web.xml").getAsset().openStream().readAllBytes(), StandardCharsets.UTF_8);
        other.delete("WEB-INF/web.xml");
        other.setWebXML(new StringAsset(webXml.replace("<param-name>python.beans</param-name>",
                "<param-name>unused.python.beans</param-name>")));
        server.deploy(ItWar.export(other, ServerProcess.SERVERS.resolve("wars/exposes-nothing.war")), "other");
        server.start().awaitStatus("/app/java", 200);
        server.awaitStatus("/other/java", 200);
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
    void pythonCallsTheExposedBeanWithArgumentsAndResultsConverted() throws Exception {
        var response = get("/py-java/quote?item=fig&qty=3");
        assertEquals(200, response.statusCode(), response.body() + "\n" + server.logTail(40));
        assertEquals("{\"currency\": \"EUR\", \"item\": \"fig\", \"quantity\": 3, \"total_cents\": 360}", response.body());
        assertEquals("[\"apple\", \"fig\", \"pear\"]", get("/py-java/items").body());
    }

    @Test
    void aJavaExceptionReachesPythonWithItsClassAndMessage() throws Exception {
        var response = get("/py-java/quote?item=kiwi&qty=1");
        assertEquals(409, response.statusCode(), response.body());
        assertEquals("java.util.NoSuchElementException: no price for kiwi", response.body());
        var badQuantity = get("/py-java/quote?item=pear&qty=0");
        assertEquals("java.lang.IllegalArgumentException: quantity must be at least 1, not 0", badQuantity.body());
    }

    @Test
    void aMethodTheBeanDidNotExposeIsNotReachable() throws Exception {
        var response = get("/py-java/discounts");
        assertEquals(403, response.statusCode(), response.body());
        assertEquals("the Java object 'pricing' exposes no method 'discountCodes'; it exposes items, quote", response.body());
    }

    @Test
    void aBeanThatIsNotExposedFailsCleanlyWithTheReasonInTheLog() throws Exception {
        var response = get("/py-java/stock");
        assertEquals(500, response.statusCode(), response.body());
        assertFalse(response.body().contains("LookupError"), "no traceback for the client: " + response.body());
        String expected = "LookupError: no Java object is exposed to Python as \"stock\"; the exposed ones are pricing";
        // The container may write its log a moment after the answer.
        for (int i = 0; i < 100 && !server.log().contains(expected); i++) {
            Thread.sleep(100);
        }
        assertTrue(server.log().contains(expected), server.logTail(40));
        // The app serves on.
        assertEquals(200, get("/py-java/items").statusCode());
    }

    @Test
    void anotherWebAppsPythonCannotReachThisWebAppsBeans() throws Exception {
        var response = HttpClientSupport.get(server.uri("/other/py-java/items"));
        assertEquals(500, response.statusCode(), response.body());
        String expected = "LookupError: no Java object is exposed to Python as \"pricing\"";
        for (int i = 0; i < 100 && !server.log().contains(expected); i++) {
            Thread.sleep(100);
        }
        assertTrue(server.log().contains(expected), server.logTail(40));
        assertEquals(200, get("/py-java/items").statusCode(), "while this app's Python reaches them");
    }

    /** What a readiness probe of the example asks: httpy answers /healthz itself, UP, with the filters' workers. */
    @Test
    void theHealthPathSaysUp() throws Exception {
        var health = get("/healthz");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().startsWith("{\"status\":\"UP\",\"python\":\"3."), health.body());
        assertTrue(health.body().contains("\"python\":{\"workers\":4,"), health.body());
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

    /**
     * What a newcomer opens first: the root page links the example's routes, and none of its links
     * is dead. Flask and FastAPI may answer 503 (not installed for this Python), never 404; the
     * example's own routes answer 200.
     */
    @Test
    void theRootPageLinksEveryKindOfRouteAndNoLinkIsDead() throws Exception {
        var page = get("/");
        assertEquals(200, page.statusCode());
        List<String> links = Pattern.compile("href=\"([^\"]+)\"").matcher(page.body()).results()
                .map(m -> m.group(1).replace("&amp;", "&")).toList();
        assertTrue(links.containsAll(List.of("python", "users/7?field=name&field=email", "java", "java/py-sum?n=1&n=2",
                "flask/hello", "fastapi/hello")), "links: " + links);
        for (String link : links) {
            int status = get("/" + link).statusCode();
            assertNotEquals(404, status, link);
            if (!link.startsWith("flask/") && !link.startsWith("fastapi/")) {
                assertEquals(200, status, link);
            }
        }
    }
}
