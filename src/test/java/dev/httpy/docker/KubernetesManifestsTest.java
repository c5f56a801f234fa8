package dev.httpy.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1LifecycleHandler;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Service;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes example, tomcat-docker/k8s/: manifests the API accepts (checked offline against its
 * types, {@link KubernetesApiTypes}), whose numbers still fit the example WAR and httpy's stop
 * (README.md, "Kubernetes").
 */
class KubernetesManifestsTest {
    private static final Path MANIFESTS = Path.of("tomcat-docker/k8s");
    private static final Path DEPLOYMENT = MANIFESTS.resolve("deployment.yaml");
    private static final Path SERVICE = MANIFESTS.resolve("service.yaml");
    private static final Path WEB_XML = Path.of("src/main/webapp/WEB-INF/web.xml");
    /** What the pod needs past preStop and the drain: Tomcat stopping its connectors, the JVM exiting. */
    private static final long STOP_MARGIN_SECONDS = 10;

    @Test
    void everyManifestIsOneTheKubernetesApiAccepts() throws Exception {
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Map<?, ?> manifest : documents(Files.readString(file))) {
                    assertEquals(List.of(), KubernetesApiTypes.problems(manifest), file.toString());
                }
            }
        }
    }

    @Test
    void aFieldTheApiDoesNotHaveIsRefused() throws Exception {
        // given: the Deployment with one probe's name misspelt
        String misspelt = Files.readString(DEPLOYMENT).replace("readinessProbe:", "readinesProbe:");

        // when
        List<String> problems = KubernetesApiTypes.problems(documents(misspelt).getFirst());

        // then
        assertTrue(problems.toString().contains("`readinesProbe`"), problems.toString());
    }

    @Test
    void textWhereTheApiWantsANumberIsRefused() throws Exception {
        // given: the grace period quoted, which the API server refuses for an integer field
        String quoted = Files.readString(DEPLOYMENT).replaceFirst(
                "terminationGracePeriodSeconds: (\\d+)", "terminationGracePeriodSeconds: \"$1\"");

        // when
        List<String> problems = KubernetesApiTypes.problems(documents(quoted).getFirst());

        // then
        assertTrue(problems.toString().matches("(?s).*terminationGracePeriodSeconds: \"\\d+\" is text; the API wants a number.*"),
                problems.toString());
    }

    @Test
    void everyProbeAsksTheHealthPathTheExampleWarAnswers() throws Exception {
        // The example's web.xml sets python.health=/healthz on its filter "python"; /healthz until it does.
        String healthPath = exampleSetting("python.health").orElse("/healthz");
        V1Container tomcat = onlyContainer(deployment());
        for (V1Probe probe : List.of(tomcat.getStartupProbe(), tomcat.getReadinessProbe(), tomcat.getLivenessProbe())) {
            assertEquals(healthPath, probe.getHttpGet().getPath(), "the WAR is ROOT in the image, so the path is the setting");
            assertEquals("http", probe.getHttpGet().getPort().getStrValue());
        }
        assertEquals(8080, tomcat.getPorts().getFirst().getContainerPort());
        assertEquals("http", tomcat.getPorts().getFirst().getName());
    }

    @Test
    void theGracePeriodOutlastsPreStopAndTheDrain() throws Exception {
        V1Deployment deployment = deployment();
        long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        long preStop = preStopSeconds(onlyContainer(deployment).getLifecycle().getPreStop());
        long drain = seconds(exampleSetting("python.drain-timeout").orElse("20"));

        assertTrue(grace >= preStop + drain + STOP_MARGIN_SECONDS, "terminationGracePeriodSeconds " + grace
                + " must cover preStop " + preStop + " s + python.drain-timeout " + drain + " s + "
                + STOP_MARGIN_SECONDS + " s, or the kubelet kills Tomcat in the middle of the drain");
    }

    @Test
    void livenessRestartsOnlyAPodThatStaysUnhealthy() throws Exception {
        V1Container tomcat = onlyContainer(deployment());
        long preStop = preStopSeconds(tomcat.getLifecycle().getPreStop());
        long drain = seconds(exampleSetting("python.drain-timeout").orElse("20"));
        long timeout = seconds(exampleSetting("python.timeout").orElse("30"));
        long startTimeout = seconds(exampleSetting("python.start-timeout").orElse("60"));

        long livenessWindow = window(tomcat.getLivenessProbe());
        assertTrue(livenessWindow > preStop + drain, "liveness must outlast a drain: " + livenessWindow + " s");
        assertTrue(livenessWindow > timeout, "liveness must outlast python.timeout: " + livenessWindow + " s");
        long startupWindow = window(tomcat.getStartupProbe());
        assertTrue(startupWindow > startTimeout, "startup must outlast python.start-timeout: " + startupWindow + " s");
        assertTrue(window(tomcat.getReadinessProbe()) < livenessWindow, "readiness must take a pod out before liveness restarts it");
    }

    @Test
    void theServiceSendsToTheDeploymentsPodsOnTheirHttpPort() throws Exception {
        V1Deployment deployment = deployment();
        V1Service service = read(documents(Files.readString(SERVICE)).getFirst(), V1Service.class);

        assertEquals(deployment.getSpec().getTemplate().getMetadata().getLabels(), service.getSpec().getSelector());
        assertEquals("http", service.getSpec().getPorts().getFirst().getTargetPort().getStrValue());
    }

    private static List<Map<?, ?>> documents(String yaml) {
        var documents = new ArrayList<Map<?, ?>>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            documents.add((Map<?, ?>) document);
        }
        return documents;
    }

    private static V1Deployment deployment() throws Exception {
        return read(documents(Files.readString(DEPLOYMENT)).getFirst(), V1Deployment.class);
    }

    private static <T> T read(Map<?, ?> manifest, Class<T> type) {
        assertEquals(List.of(), KubernetesApiTypes.problems(manifest));
        return JSON.getGson().fromJson(new Gson().toJsonTree(manifest), type);
    }

    private static V1Container onlyContainer(V1Deployment deployment) {
        List<V1Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.getFirst();
    }

    /** The sleep action's seconds, or an exec preStop's {@code ["sleep", "N"]} (README.md, "Kubernetes"). */
    private static long preStopSeconds(V1LifecycleHandler preStop) {
        if (preStop.getSleep() != null) {
            return preStop.getSleep().getSeconds();
        }
        List<String> command = preStop.getExec().getCommand();
        assertTrue(command.size() == 2 && command.getFirst().endsWith("sleep"), "preStop is no sleep: " + command);
        return seconds(command.get(1));
    }

    /** How long the probe fails before Kubernetes acts on it. */
    private static long window(V1Probe probe) {
        return (long) probe.getPeriodSeconds() * probe.getFailureThreshold();
    }

    /** A duration in seconds as httpy's settings take it (decimals allowed), rounded up. */
    private static long seconds(String value) {
        return (long) Math.ceil(Double.parseDouble(value.trim()));
    }

    /** An init-param of the example WAR's filter "python", else the context-param of that name. */
    private static Optional<String> exampleSetting(String name) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        var webApp = factory.newDocumentBuilder().parse(WEB_XML.toFile()).getDocumentElement();
        for (Element filter : children(webApp, "filter")) {
            if (text(filter, "filter-name").equals("python")) {
                Optional<String> own = param(filter, "init-param", name);
                if (own.isPresent()) {
                    return own;
                }
            }
        }
        return param(webApp, "context-param", name);
    }

    private static Optional<String> param(Element parent, String tag, String name) {
        return children(parent, tag).stream()
                .filter(param -> text(param, "param-name").equals(name))
                .map(param -> text(param, "param-value"))
                .findFirst();
    }

    private static List<Element> children(Element parent, String tag) {
        var found = new ArrayList<Element>();
        for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getLocalName().equals(tag)) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(Element parent, String tag) {
        return children(parent, tag).stream().map(e -> e.getTextContent().trim()).findFirst().orElse("");
    }
}
