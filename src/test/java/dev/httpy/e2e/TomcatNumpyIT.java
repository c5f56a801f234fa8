package dev.httpy.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import dev.httpy.python.TestJars;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * numpy from Maven Central in a real Tomcat: the WAR adds org.bytedeco:numpy and openblas to
 * WEB-INF/lib and nothing else. numpy refuses sub-interpreters, so the default
 * python.interpreter=auto runs that app in the main interpreter and says so; a second app that
 * insists on isolated fails to deploy with a message naming numpy's module and the setting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatNumpyIT {
    private ServerProcess server;

    private static WebArchive numpyWar(String contextParams) throws Exception {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        String webXml = Files.readString(Path.of("src/test/resources/packages/numpy-web.xml"))
                .replace("  <listener>", contextParams + "  <listener>");
        return archive.setWebXML(new StringAsset(webXml))
                .addAsWebInfResource(new File("src/test/resources/packages/np_app.py"), "python/np_app.py")
                .addAsLibraries(TestJars.numpy());
    }

    @BeforeAll
    void start() throws Exception {
        Path wars = ServerProcess.SERVERS.resolve("wars");
        server = ServerProcess.tomcat("tomcat-numpy");
        server.deploy(ItWar.export(numpyWar("  <context-param><param-name>python.interpreter</param-name>"
                + "<param-value>isolated</param-value></context-param>\n"), wars.resolve("numpy-isolated.war")), "isolated");
        server.deploy(ItWar.export(numpyWar(""), wars.resolve("numpy.war")), "numpy");
        server.start().awaitStatus("/numpy/total?n=100", 200);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void numpyComputesInTheMainInterpreterChosenByAuto() throws Exception {
        assertEquals("4950", HttpClientSupport.get(server.uri("/numpy/total?n=100")).body());
        assertEquals("499999500000", HttpClientSupport.get(server.uri("/numpy/total?n=1000000")).body());
        assertEquals("0", HttpClientSupport.get(server.uri("/numpy/interpreter")).body(), "the main interpreter's id");
        assertTrue(server.log().contains("the extension module numpy._core._multiarray_umath refuses to load in a"
                + " sub-interpreter, so this web app runs in the main interpreter"), server.logTail(40));
    }

    @Test
    void anAppThatInsistsOnIsolatedFailsToDeployNamingNumpysModuleAndTheSetting() throws Exception {
        assertEquals(404, HttpClientSupport.get(server.uri("/isolated/total?n=3")).statusCode());
        String log = server.hostLog();
        assertTrue(log.contains("httpy filter numpy cannot start: init-param python.handler=np_app:handle: ImportError")
                && log.contains("the extension module numpy._core._multiarray_umath refuses to load in a sub-interpreter,"
                + " so set the context-param python.interpreter=main"), log);
    }
}
