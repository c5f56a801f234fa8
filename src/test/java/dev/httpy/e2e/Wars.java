package dev.httpy.e2e;

import java.io.File;
import java.nio.file.Path;

import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WAR files the end-to-end tests copy into the servers' {@code webapps/}. */
final class Wars {
    private static Path itWar;
    private static Path pathsWar;

    private Wars() {
    }

    /** The integration-test WAR ({@link ItWar}) as a file, written once per test run. */
    static synchronized Path itWar() {
        if (itWar == null) {
            itWar = ItWar.export(ServerProcess.SERVERS.resolve("wars/it.war"));
        }
        return itWar;
    }

    /**
     * The packaged WAR with the request-path tests' {@code web.xml} and {@code paths_app.py}: quick,
     * waiting, spinning, echoing and streaming routes under short limits.
     */
    static synchronized Path pathsWar() {
        if (pathsWar == null) {
            var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                    new File(System.getProperty("httpy.test.war", "target/httpy.war")));
            archive.delete("WEB-INF/web.xml");
            archive.setWebXML(new File("src/test/resources/paths/web.xml"))
                    .addAsWebInfResource(new File("src/test/resources/paths/paths_app.py"), "python/paths_app.py");
            pathsWar = ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/paths.war"));
        }
        return pathsWar;
    }
}
