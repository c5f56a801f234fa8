package dev.httpy.e2e;

import java.nio.file.Path;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

import static dev.httpy.it.HttpClientSupport.get;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two different web apps using the filter in one Tomcat at the same time (/one and /two), each
 * with its own Python module named {@code app} and a helper module only it has. Each must get its
 * own {@code app} and must not be able to import the other's modules.
 */
class TwoWarsIT {

    @Test
    void twoWebAppsEachHaveTheirOwnPythonModules() throws Exception {
        try (var server = ServerProcess.tomcat("tomcat-two-wars")) {
            server.deploy(war("one", "two"), "one");
            server.deploy(war("two", "one"), "two");
            server.start();
            server.awaitStatus("/one/who", 200);
            server.awaitStatus("/two/who", 200);

            var whoOne = get(server.uri("/one/who"));
            var whoTwo = get(server.uri("/two/who"));
            var oneImportsTwo = get(server.uri("/one/import-other"));
            var twoImportsOne = get(server.uri("/two/import-other"));
            var modulesOne = get(server.uri("/one/modules"));
            var modulesTwo = get(server.uri("/two/modules"));
            System.out.println("/one/who -> " + whoOne.statusCode() + " " + whoOne.body());
            System.out.println("/two/who -> " + whoTwo.statusCode() + " " + whoTwo.body());
            System.out.println("/one/import-other -> " + oneImportsTwo.statusCode() + " " + oneImportsTwo.body());
            System.out.println("/two/import-other -> " + twoImportsOne.statusCode() + " " + twoImportsOne.body());
            System.out.println("/one/modules -> " + modulesOne.body());
            System.out.println("/two/modules -> " + modulesTwo.body());
            assertAll(
                    () -> assertEquals("app one, helper only_one", whoOne.body(), "/one/who"),
                    () -> assertEquals("app two, helper only_two", whoTwo.body(), "/two/who"),
                    () -> assertEquals(404, oneImportsTwo.statusCode(), "app one imported app two's only_two: " + oneImportsTwo.body()),
                    () -> assertEquals(404, twoImportsOne.statusCode(), "app two imported app one's only_one: " + twoImportsOne.body()));
        }
    }

    /** The packaged WAR with its example app.py replaced by app {@code name}'s, plus a helper only it has. */
    private static Path war(String name, String other) throws java.io.IOException {
        String app = """
                import importlib
                import sys

                NAME = "%1$s"


                def go_init():
                    return {"/who": ["GET"], "/import-other": ["GET"], "/modules": ["GET"]}


                def go_request(method, path, params, query, headers, body):
                    if path == "/who":
                        import only_%1$s
                        return 200, f"app {NAME}, helper {only_%1$s.__name__}", {}
                    if path == "/import-other":
                        try:
                            other = importlib.import_module("only_%2$s")
                        except ImportError as e:
                            return 404, f"{type(e).__name__}: {e}", {}
                        return 200, f"app {NAME} imported only_%2$s from {other.__file__}", {}
                    if path == "/modules":
                        mine = sorted(f"{n}={m.__file__}" for n, m in list(sys.modules.items())
                                      if "/WEB-INF/" in (getattr(m, "__file__", None) or ""))
                        return 200, " ".join(mine) + " | sys.path: " + " ".join(p for p in sys.path if "/WEB-INF/" in p), {}
                    return 404, "", {}
                """.formatted(name, other);
        WebArchive archive = ShrinkWrap.createFromZipFile(WebArchive.class,
                Path.of(System.getProperty("httpy.test.war", "target/httpy.war")).toFile());
        archive.delete("WEB-INF/python/app.py");
        archive.addAsWebInfResource(new StringAsset(app), "python/app.py");
        archive.addAsWebInfResource(new StringAsset("\"\"\"Only app " + name + " has this module.\"\"\"\n"),
                "python/only_" + name + ".py");
        Path file = ServerProcess.SERVERS.resolve("wars/" + name + ".war");
        java.nio.file.Files.createDirectories(file.getParent());
        archive.as(ZipExporter.class).exportTo(file.toFile(), true);
        return file;
    }
}
