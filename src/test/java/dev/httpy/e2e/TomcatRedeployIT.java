package dev.httpy.e2e;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static dev.httpy.it.HttpClientSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Undeploys and redeploys the integration-test WAR 20 times in one running Tomcat, the way an
 * operator does: the WAR leaves {@code webapps/} (Tomcat stops the app and deletes its directory)
 * and comes back (Tomcat unpacks and starts it again).
 *
 * <p>httpy keeps one CPython for the life of the JVM and gives each deployment a sub-interpreter of
 * its own, ended when the app stops. The WAR is the integration-test WAR with Weld in it, as users
 * deploy it, exposing its CDI bean {@code pricing} to Python. So every deployment must import its
 * Python code afresh (a new token), call Java from Python,
 * see only its own directory and modules, load C extensions, and leave nothing behind that grows:
 * no web app class loader outlives its deployment, and heap and RSS stay flat.
 */
class TomcatRedeployIT {
    private static final int DEPLOYS = 20;
    private static final Set<Integer> SAMPLED = Set.of(1, 10, 20);
    private static final String WEBAPP_LOADER = "org.apache.catalina.loader.ParallelWebappClassLoader";
    private static final long MIB = 1024;

    /** What the JVM holds after a full GC at one deployment. */
    record Sample(long rssKib, long heapUsedKib, long metaspaceUsedKib, long webappLoaders, int pythonModules) {
    }

    @Test
    void twentyRedeploysEachServeFreshPythonAndLeakNothing() throws Exception {
        try (var server = ServerProcess.tomcat("tomcat-redeploy")) {
            server.deploy(Wars.itWar(), "it");
            server.start();
            Set<String> tokens = new HashSet<>();
            Map<Integer, Sample> samples = new LinkedHashMap<>();
            String firstExt = null;
            for (int deploy = 1; deploy <= DEPLOYS; deploy++) {
                if (deploy > 1) {
                    server.undeploy("it");
                    server.awaitStatus("/it/python", 404);
                    server.deploy(Wars.itWar(), "it");
                }
                String at = "deploy " + deploy + ": ";
                assertEquals("hello from python", server.awaitStatus("/it/python", 200).body(), at);

                // Enough calls for the fast path to run them on Tomcat's request threads, which keep
                // thread states across deployments; C callbacks there must find the right one.
                for (int i = 0; i < 20; i++) {
                    assertEquals("hello from python", get(server.uri("/it/python")).body(), at);
                    var sorted = get(server.uri("/it/ctypes"));
                    assertEquals("1,2,3,4,5", sorted.body(), at + "a ctypes callback on a request thread");
                }
                // Python calls the deployment's CDI bean through its upcall stub, which must go with the deployment.
                var quote = get(server.uri("/it/py-java/quote?item=pear&qty=2"));
                assertEquals("{\"currency\": \"EUR\", \"item\": \"pear\", \"quantity\": 2, \"total_cents\": 110}",
                        quote.body(), at + "Python calling Java");

                var ext = get(server.uri("/it/ext"));
                assertEquals(200, ext.statusCode(), at + ext.body());
                assertTrue(ext.body().contains("\"decimal_c\": \"True\"") && ext.body().contains("\"json_c_encoder\": \"True\"")
                        && ext.body().contains("\"ssl\": \"OpenSSL "), at + ext.body());
                if (firstExt == null) {
                    firstExt = ext.body();
                    System.out.println("C extensions at deploy 1: " + firstExt);
                }
                assertEquals(firstExt, ext.body(), at + "the same extension modules answer alike in every deployment");

                var deployment = get(server.uri("/it/deployment"));
                assertEquals(200, deployment.statusCode(), at + deployment.body());
                String seen = deployment.body();
                assertTrue(tokens.add(field(seen, "\"token\": \"(\\w+)\"")),
                        at + "it_app was not imported afresh; it answers an earlier deployment's token: " + seen);
                String dir = field(seen, "\"dir\": \"([^\"]+)\"");
                // The WAR's own code and the packages its build installed (python/requirements.txt), once each.
                assertEquals("[\"" + dir + "\", \"" + dir + "-packages\"]", field(seen, "\"web_inf_paths\": (\\[[^]]*])"),
                        at + "sys.path must hold this deployment's WEB-INF/python and python-packages once and no other: "
                        + seen);
                assertEquals("[\"app\", \"it_app\"]", field(seen, "\"web_inf_modules\": (\\[[^]]*])"),
                        at + "sys.modules must hold this deployment's modules and no earlier ones: " + seen);

                if (SAMPLED.contains(deploy)) {
                    var sample = sample(server, Integer.parseInt(field(seen, "\"modules\": (\\d+)")));
                    samples.put(deploy, sample);
                    System.out.printf("Tomcat redeploy %2d: RSS %d MiB, heap used after full GC %d MiB, metaspace %d MiB,"
                                    + " web app class loaders %d, Python modules %d%n", deploy, sample.rssKib() / MIB,
                            sample.heapUsedKib() / MIB, sample.metaspaceUsedKib() / MIB, sample.webappLoaders(),
                            sample.pythonModules());
                }
            }
            var stopped = server.stop();
            System.out.printf("Tomcat after %d deploys stopped in %d ms (exit code %d)%n", DEPLOYS, stopped.took().toMillis(),
                    stopped.exitCode());

            String log = server.log();
            assertEquals(DEPLOYS, count(log, "Python app stopped; its sub-interpreter ended"),
                    "every undeploy (and the final stop) ends the app's sub-interpreter; log:\n" + server.logTail(80));
            List<String> problems = log.lines().filter(l -> l.contains("SEVERE") || l.contains("memory leak")
                    || l.contains("still running Python") || l.contains("Fatal Python")).toList();
            assertEquals(List.of(), problems, "Tomcat reported problems while redeploying");
            assertBounded(samples.get(1), samples.get(10), samples.get(20));
        }
    }

    /**
     * The bounds. The class loader count is the exact leak check: after a full GC only the
     * deployment that is running may keep its loader, and each leaked one would pin all its classes
     * and the Python objects its thread states and functions reference. The heap after a full GC
     * must stay within 32 MiB of deploy 1 (a leaked deployment's loader, resources and Tomcat
     * structures are a few MiB each, so 19 of them would pass it). RSS must stay within 150 MiB of
     * deploy 1: it also grows for harmless reasons (the JVM commits more heap and code cache as it
     * runs; glibc keeps freed native memory), but re-importing the Python app and its C extensions
     * without releasing them, or a leaked libpython per deploy, would grow it by far more over 19
     * redeploys. The number of Python modules must not grow from deploy 10 on: each deployment imports the same ones.
     */
    private static void assertBounded(Sample first, Sample tenth, Sample last) {
        String all = "deploy 1: " + first + "\ndeploy 10: " + tenth + "\ndeploy 20: " + last;
        assertEquals(1, last.webappLoaders(), "web app class loaders alive after 20 deploys and a full GC\n" + all);
        assertTrue(last.heapUsedKib() < first.heapUsedKib() + 32 * MIB, "heap after a full GC grew\n" + all);
        assertTrue(last.rssKib() < first.rssKib() + 150 * MIB, "RSS grew by more than 150 MiB\n" + all);
        // Compared with deploy 10, not 1: the first undeploy's importlib.invalidate_caches() imports
        // importlib.metadata (with zipfile, email, typing...: about 34 modules), once.
        assertTrue(last.pythonModules() <= tenth.pythonModules(), "sys.modules grew across redeploys\n" + all);
    }

    private static Sample sample(ServerProcess server, int pythonModules) {
        long loaders = server.liveInstances(WEBAPP_LOADER); // its histogram runs a full GC first
        server.jcmd("GC.run");
        String heap = server.jcmd("GC.heap_info");
        String metaspace = server.jcmd("VM.metaspace", "basic");
        return new Sample(server.rssKib(), ServerProcess.usedKib(heap, "heap"), ServerProcess.usedKib(metaspace, "Metaspace"),
                loaders, pythonModules);
    }

    private static String field(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        assertTrue(m.find(), "no " + regex + " in " + json);
        return m.group(1);
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
