package dev.httpy.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app's own logging configuration in a real server's log: an app that calls
 * basicConfig(level=DEBUG, format=...) at import has its INFO records there in its format (DEBUG
 * maps to FINE, which Tomcat's and Jetty's default configurations do not print); an app that
 * configures nothing has its WARNINGs there and not its INFOs, as under gunicorn.
 */
abstract class LoggingContract {

    /** A fresh, not yet started server. */
    abstract ServerProcess newServer();

    private static Path war(String module) throws Exception {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        archive.setWebXML(new StringAsset(Files.readString(Path.of("src/test/resources/logging/web.xml"))
                        .replace("APP:handle", module + ":handle")))
                .addAsWebInfResource(new File("src/test/resources/logging/" + module + ".py"), "python/" + module + ".py");
        return ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/" + module + ".war"));
    }

    @Test
    void theAppsOwnConfigurationWinsAndAnUnconfiguredAppLogsItsWarnings() throws Exception {
        try (var server = newServer()) {
            server.deploy(war("configured_app"), "configured");
            server.deploy(war("plain_app"), "plain");
            server.start().awaitStatus("/configured/log", 200);
            assertEquals(200, HttpClientSupport.get(server.uri("/plain/log")).statusCode());
            String log = "";
            for (int i = 0; i < 100 && !(log.contains("a warning record") && log.contains("WARNING|shop.orders|")); i++) {
                Thread.sleep(50);
                log = server.log();
            }
            assertTrue(log.contains("INFO|shop.orders|an info record"), server.logTail(30));
            assertTrue(log.contains("WARNING|shop.orders|a warning record"), server.logTail(30));
            // The unconfigured app's lines are its bare messages: no format of its own.
            assertTrue(log.lines().anyMatch(l -> l.endsWith(" a warning record") && !l.contains("|")), server.logTail(30));
            // The container's formatter prints the record's source: the Python logger's name, not httpy's class.
            assertTrue(log.contains("shop.stock") && !log.contains("PythonLogs"), server.logTail(30));
            // ... and the Python function that logged as its method: Tomcat prints shop.stock.handle, Jetty's
            // java.util.logging console "shop.stock handle"; never logger.null.
            assertTrue(log.contains("shop.stock.handle") || log.contains("shop.stock handle"), server.logTail(30));
            assertFalse(log.contains("shop.stock.null") || log.contains("shop.stock null"), server.logTail(30));
            assertFalse(log.lines().anyMatch(l -> l.endsWith(" an info record") && !l.contains("|")),
                    "the unconfigured app's INFO reached the log:\n" + server.logTail(30));
        }
    }
}
