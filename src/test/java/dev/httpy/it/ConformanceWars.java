package dev.httpy.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The conformance tests' WARs: the packaged WAR with one of their web.xml files and apps, on a given Python. */
final class ConformanceWars {
    private ConformanceWars() {
    }

    /**
     * @param python a python.executable to add, or null for the WAR's own (the embedded Python)
     */
    static WebArchive of(String kind, String app, Path python) {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("httpy.test.war", "target/httpy.war")));
        archive.delete("WEB-INF/web.xml");
        try {
            String webXml = Files.readString(Path.of("src/test/resources/" + kind + "/conformance-web.xml"));
            if (python != null) {
                // A GIL per worker needs Python 3.12+; the venv's may be older, so that filter goes.
                webXml = webXml.replaceAll("(?s)<!-- The same apps with a GIL per worker.*?</filter-mapping>", "");
            }
            archive.setWebXML(new StringAsset(python == null ? webXml : TodaysVenv.withExecutable(webXml, python)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return archive.addAsWebInfResource(new File("src/test/resources/" + kind + "/" + app), "python/" + app);
    }
}
