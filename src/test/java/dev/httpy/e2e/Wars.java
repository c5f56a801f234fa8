package dev.httpy.e2e;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import dev.httpy.it.ItWar;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WAR files the end-to-end tests copy into the servers' {@code webapps/}. */
final class Wars {
    private static Path itWar;
    private static Path pathsWar;
    private static Path micrometerWar;
    private static final java.util.Map<String, Path> drainWars = new java.util.HashMap<>();

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
                    .addAsWebInfResource(new File("src/test/resources/paths/paths_app.py"), "python/paths_app.py")
                    .add(new org.jboss.shrinkwrap.api.asset.StringAsset("the docs page\n"), "docs/index.html");
            pathsWar = ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/paths.war"));
        }
        return pathsWar;
    }

    /**
     * The integration-test WAR ({@link ItWar}) under {@code src/test/resources/drain/web.xml}: the
     * health path {@code /healthz}, {@code python.drain-timeout=<drainTimeout>} seconds, and the
     * filter {@code stuck} at {@code /stuck}, whose one worker {@code drain_app.py} keeps past its 1 s timeout.
     */
    static synchronized Path drainWar(String drainTimeout) {
        return drainWars.computeIfAbsent(drainTimeout, seconds -> {
            String xml;
            try {
                xml = java.nio.file.Files.readString(Path.of("src/test/resources/drain/web.xml"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            var archive = ItWar.archive();
            archive.delete("WEB-INF/web.xml");
            archive.setWebXML(new org.jboss.shrinkwrap.api.asset.StringAsset(xml.replace("DRAIN_TIMEOUT", seconds)))
                    .addAsWebInfResource(new File("src/test/resources/drain/drain_app.py"), "python/drain_app.py");
            return ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/drain-" + seconds + ".war"));
        });
    }

    /**
     * The packaged WAR with Micrometer in {@code WEB-INF/lib} (the jars the build has on its class
     * path), {@code it_app.py} and {@link MeterListing}, under {@code src/test/resources/micrometer/web.xml}.
     */
    static synchronized Path micrometerWar() {
        if (micrometerWar == null) {
            var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                    new File(System.getProperty("httpy.test.war", "target/httpy.war")));
            archive.delete("WEB-INF/web.xml");
            archive.setWebXML(new File("src/test/resources/micrometer/web.xml"))
                    .addAsWebInfResource(new File("src/test/resources/it/it_app.py"), "python/it_app.py")
                    .addClass(MeterListing.class);
            for (Class<?> inJar : List.of(io.micrometer.core.instrument.Metrics.class, io.micrometer.common.KeyValue.class,
                    io.micrometer.observation.Observation.class, org.HdrHistogram.Histogram.class)) {
                archive.addAsLibrary(jarOf(inJar));
            }
            micrometerWar = ItWar.export(archive, ServerProcess.SERVERS.resolve("wars/micrometer.war"));
        }
        return micrometerWar;
    }

    private static File jarOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("no jar for " + type, e);
        }
    }
}
