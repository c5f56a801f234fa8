package dev.httpy.e2e;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.httpy.it.ItWar;
import dev.httpy.it.TodaysVenv;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example WAR on the venv of today's stacks ({@link TodaysVenv}: FastAPI on Starlette 1.x and
 * pydantic 2, Flask 3.1, scikit-learn with scipy), on the default settings but python.executable:
 * scikit-learn loads and predicts (auto gives a 3.10/3.11 app the main interpreter), FastAPI's
 * {@code request.url} and redirects carry the context path and the mount, and the app imports the
 * venv's Flask, not the one the WAR carries for the embedded Python.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TodaysStacksContract {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private ServerProcess server;

    abstract ServerProcess newServer();

    @BeforeAll
    void start() throws IOException {
        Path python = TodaysVenv.python(getClass().getSimpleName());
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        String webXml = Files.readString(Path.of("src/main/webapp/WEB-INF/web.xml"));
        // DjangoIT's one-file site beside the example's apps, through WSGI and Django's ASGI handler.
        String django = Files.readString(Path.of("src/test/resources/wsgi/django-web.xml"));
        String djangoFilters = django.substring(django.indexOf("<filter>"), django.lastIndexOf("</web-app>"));
        webXml = webXml.replace("</web-app>", djangoFilters + "</web-app>");
        archive.delete("WEB-INF/web.xml");
        archive.setWebXML(new StringAsset(TodaysVenv.withExecutable(webXml, python)))
                .addAsWebInfResource(new File("src/test/resources/wsgi/django_site.py"), "python/django_site.py");
        server = newServer();
        server.deploy(ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/today.war")), "today");
        // scikit-learn trains the example's model at import: the first start of a fresh venv takes a while.
        server.start().awaitStatus("/today/python", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(server.uri("/today" + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void scikitLearnDeploysOnTheDefaultsAndPredicts() throws Exception {
        assertTrue(get("/ml/").body().contains("\"model\": \"LogisticRegression\""), get("/ml/").body());
        try (var clients = Executors.newFixedThreadPool(16)) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String x = i % 2 == 0 ? "5.1,3.5,1.4,0.2" : "6.7,3.0,5.2,2.3";
                answers.add(clients.submit((Callable<String>) () -> get("/ml/predict?x=" + x).body()));
            }
            for (int i = 0; i < answers.size(); i++) {
                String body = answers.get(i).get();
                assertTrue(body.contains(i % 2 == 0 ? "\"class\": \"setosa\"" : "\"class\": \"virginica\""), body);
            }
        }
        assertTrue(server.log().contains("python.interpreter=auto: the main interpreter for this web app"),
                server.logTail(40));
    }

    @Test
    void fastApisRequestUrlCarriesTheContextPathAndTheMount() throws Exception {
        var response = get("/fastapi/where/7?q=zz");
        assertEquals(200, response.statusCode(), response.body());
        String base = server.uri("/today/fastapi").toString();
        assertTrue(response.body().contains("\"url\":\"" + base + "/where/7?q=zz\""), response.body());
        assertTrue(response.body().contains("\"url_for\":\"" + base + "/items/7\""), response.body());
        // Starlette's redirect for a trailing slash is built from request.url.
        var redirect = get("/fastapi/where/7/");
        assertEquals(307, redirect.statusCode(), redirect.body());
        assertEquals(base + "/where/7", redirect.headers().firstValue("location").orElseThrow());
        // Routing, pydantic 2's validation and a path parameter.
        assertEquals("{\"item_id\":42,\"q\":\"red\",\"root_path\":\"/today/fastapi\"}", get("/fastapi/items/42?q=red").body());
        assertEquals(422, get("/fastapi/items/notanumber").statusCode());
    }

    @Test
    void djangoFiveThroughWsgiAndItsAsgiHandler() throws Exception {
        var item = get("/django/items/42?tag=a&tag=b");
        assertEquals(200, item.statusCode(), item.body());
        assertTrue(item.body().contains("\"id\": 42"), item.body());
        assertTrue(item.body().contains("\"script_name\": \"/today/django\""), item.body());
        assertTrue(item.body().contains("\"path\": \"/today/django/items/42\""), item.body());
        var go = get("/django/go");
        assertEquals(302, go.statusCode());
        assertEquals("/today/django/items/7", go.headers().firstValue("location").orElseThrow());
        var pause = get("/django-asgi/pause?seconds=0.05");
        assertEquals(200, pause.statusCode(), pause.body());
        assertTrue(pause.body().contains("\"path\": \"/today/django-asgi/pause\""), pause.body());
        assertEquals(404, get("/django/nothing-here").statusCode());
    }

    @Test
    void theAppImportsTheVenvsFlaskNotTheWars() throws Exception {
        var about = get("/flask/about");
        assertEquals(200, about.statusCode(), about.body());
        assertTrue(about.body().contains("\"flask\":\"3.1.3\""), about.body());
        assertFalse(about.body().contains("python-packages"), about.body());
        assertTrue((server.log() + server.hostLog()).contains("so they stay off its sys.path"), server.logTail(40));
        assertEquals("chunk 0\nchunk 1\nchunk 2\n", get("/flask/stream").body());
        var go = get("/flask/go");
        assertEquals(302, go.statusCode());
        assertTrue(go.headers().firstValue("location").orElseThrow().endsWith("/today/flask/books/1"),
                go.headers().toString());
    }
}
