package dev.httpy.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The WAR every integration test deploys: the packaged {@code target/httpy.war} (what users get),
 * with the test {@code web.xml} and {@code it_app.py} (the example app plus misbehaving routes).
 */
public final class ItWar {
    private static final Path SOURCE = Path.of(System.getProperty("httpy.test.war", "target/httpy.war"));

    private ItWar() {
    }

    /** The packaged WAR with {@code WEB-INF/web.xml} replaced and {@code WEB-INF/python/it_app.py} added. */
    public static WebArchive archive() {
        var archive = ShrinkWrap.createFromZipFile(WebArchive.class, SOURCE.toFile());
        archive.delete("WEB-INF/web.xml");
        return archive.setWebXML(new File("src/test/resources/it/web.xml"))
                .addAsWebInfResource(new File("src/test/resources/it/it_app.py"), "python/it_app.py");
    }

    /** {@link #archive()} written to {@code file} (replaced atomically if it exists), for a standalone server. */
    public static Path export(Path file) {
        return export(archive(), file);
    }

    /** {@code archive} written to {@code file} (replaced atomically if it exists). */
    public static Path export(WebArchive archive, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            archive.as(ZipExporter.class).exportTo(partial.toFile(), true);
            return Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the integration-test WAR to " + file, e);
        }
    }
}
