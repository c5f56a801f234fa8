package dev.httpy.e2e;

import java.io.File;
import java.time.Duration;

import dev.httpy.it.HttpClientSupport;
import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * python.start-timeout in a real server: a web app whose import never returns fails its deployment
 * within the limit, the log names the setting, the step and the Python line it is stuck on, another
 * web app in the same server serves on, and the server still stops in its usual time.
 */
abstract class StartTimeoutContract {
    abstract ServerProcess newServer();

    @Test
    void anImportThatNeverReturnsFailsTheDeploymentAndTheServerServesOn() throws Exception {
        var stuck = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        stuck.delete("WEB-INF/web.xml");
        stuck.setWebXML(new File("src/test/resources/stuck/web.xml"))
                .addAsWebInfResource(new File("src/test/resources/stuck/stuck_app.py"), "python/stuck_app.py");
        try (var server = newServer()) {
            server.deploy(Wars.itWar(), "it");
            server.deploy(ItWar.export(stuck, ServerProcess.SERVERS.resolve("wars/stuck.war")), "stuck");
            long started = System.nanoTime();
            server.start().awaitStatus("/it/python", 200);
            String log = "";
            for (int i = 0; i < 300 && !log.contains("python.start-timeout=5 s passed"); i++) {
                Thread.sleep(100);
                log = server.log() + server.hostLog();
            }
            double took = (System.nanoTime() - started) / 1e9;
            assertTrue(log.contains("python.start-timeout=5 s passed while importing"), server.logTail(60));
            assertTrue(took < 30, "the failed deployment took " + took + " s to show");
            // The stack of the stuck thread names the app's own line.
            assertTrue(log.contains("stuck_app.py\", line 9 in wait_for_the_database"), server.logTail(60));
            assertNotEquals(200, HttpClientSupport.get(server.uri("/stuck/hello")).statusCode());
            assertFalse(log.contains("unreachable"));
            // The other web app serves, Python included.
            for (int i = 0; i < 20; i++) {
                assertEquals(200, HttpClientSupport.get(server.uri("/it/python")).statusCode());
            }
            server.assertAlive();
            var stopped = server.stop();
            assertFalse(stopped.killed(), "the server needed SIGKILL: a stuck start held it");
            assertTrue(stopped.took().compareTo(Duration.ofSeconds(12)) < 0, "stopping took " + stopped.took());
        }
    }
}
