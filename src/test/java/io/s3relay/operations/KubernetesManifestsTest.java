package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.management.ObjectName;
import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.s3relay.config.IntegrationsFile;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.command.ActiveMQQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The Kubernetes manifests (deploy/kubernetes) as {@code kubectl kustomize} renders them, offline: every object
 * valid against the Kubernetes and KEDA schemas (deploy/kubernetes/test/validate.mjs, with the npm packages
 * kubernetes-models and @kubernetes-models/keda), and what schemas cannot see: KEDA reads the relay's real queues
 * from a Jolokia path and broker name that the broker configuration exposes, the relay pod passes the relay's own
 * start-up checks, and its grace period covers the shutdown bound.
 *
 * <p>It needs kubectl and Node.js with {@code npm ci} run in deploy/kubernetes/test. Without them the test is
 * skipped, unless {@code S3RELAY_KUBERNETES_TESTS=required} (as in CI), where it fails instead.
 */
class KubernetesManifestsTest {

    static final Path KUSTOMIZATION = Path.of("deploy", "kubernetes").toAbsolutePath();
    static final Path VALIDATOR = KUSTOMIZATION.resolve("test");
    static final Path BROKER_XML = Path.of("deploy", "activemq", "activemq.xml").toAbsolutePath();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static String rendered;
    private static List<JsonNode> objects;

    @BeforeAll
    static void render() throws Exception {
        require(onPath("kubectl"), "kubectl is not installed (Debian's kubernetes-client package)");
        // the broker configuration and the routes are the repository's own files, outside the kustomization's folder
        Result render = run(List.of("kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone",
                KUSTOMIZATION.toString()), null);
        if (render.exit() != 0 && render.output().contains("unknown flag")) {
            // kubectl before 1.21 (Debian's kubernetes-client) has no such flag: render a staged copy instead
            Path stage = staged();
            render = run(List.of("kubectl", "kustomize", stage.toString()), null);
            try (Stream<Path> files = Files.walk(stage)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        assertThat(render.exit()).as("kubectl kustomize: " + render.output()).isZero();
        rendered = render.output();
        objects = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).readValues(rendered)) {
            while (values.hasNext()) {
                JsonNode object = (JsonNode) values.next();
                if (object != null && !object.isNull() && !object.isMissingNode()) {
                    objects.add(object);
                }
            }
        }
    }

    @Test
    void everyRenderedObjectIsValidAgainstTheKubernetesAndKedaSchemas() throws Exception {
        require(onPath("node"), "Node.js is not installed");
        require(Files.isDirectory(VALIDATOR.resolve("node_modules/kubernetes-models"))
                        && Files.isDirectory(VALIDATOR.resolve("node_modules/@kubernetes-models/keda")),
                "the validator's packages are not installed: npm ci in " + VALIDATOR);
        Result validation = run(List.of("node", VALIDATOR.resolve("validate.mjs").toString()), rendered);
        System.out.print(validation.output());
        assertThat(validation.exit()).as(validation.output()).isZero();
        assertThat(validation.output()).contains(objects.size() + " of " + objects.size() + " objects valid");
        assertThat(objects.stream().map(o -> o.path("kind").asText()))
                .contains("Deployment", "StatefulSet", "PodDisruptionBudget", "ScaledObject", "TriggerAuthentication",
                        "PersistentVolumeClaim", "ConfigMap", "Secret", "Service");
    }

    @Test
    void theScaledObjectReadsTheRelaysQueuesThroughAJolokiaPathAndBrokerNameTheBrokerExposes() throws Exception {
        Properties settings = applicationProperties();
        JsonNode scaledObject = one("ScaledObject", "s3-relay");
        assertThat(scaledObject.at("/spec/scaleTargetRef/name").asText()).isEqualTo(one("Deployment", "s3-relay")
                .at("/metadata/name").asText());

        Element broker = brokerElement(configMapData("activemq-config", "activemq.xml"));
        String brokerName = broker.getAttribute("brokerName");
        assertThat(brokerName).isEqualTo("s3relay-broker");
        // Jolokia reads MBeans: the broker registers them unless JMX is off
        assertThat(broker.getAttribute("useJmx")).isNotEqualTo("false");
        // the web console, and /api/jolokia with it, comes from the image's jetty.xml
        assertThat(configMapData("activemq-config", "activemq.xml")).contains("<import resource=\"jetty.xml\"/>");

        Set<String> queues = new HashSet<>();
        for (JsonNode trigger : scaledObject.at("/spec/triggers")) {
            assertThat(trigger.path("type").asText()).isEqualTo("activemq");
            JsonNode metadata = trigger.path("metadata");
            queues.add(metadata.path("destinationName").asText());
            assertThat(metadata.path("brokerName").asText()).as("the broker's name in activemq.xml").isEqualTo(brokerName);
            String template = metadata.path("restAPITemplate").asText();
            assertThat(template).startsWith("http://{{.ManagementEndpoint}}/api/jolokia/read/");

            // the endpoint is the Service in front of the broker pods, on the web console's port
            String[] endpoint = metadata.path("managementEndpoint").asText().split(":");
            String serviceName = endpoint[0].split("\\.")[0];
            JsonNode service = one("Service", serviceName);
            assertThat(service.at("/spec/selector")).isEqualTo(one("StatefulSet", "activemq").at("/spec/selector/matchLabels"));
            assertThat(service.at("/spec/ports").findValuesAsText("port")).contains(endpoint[1]);

            // its credentials are a TriggerAuthentication of the render, from a Secret of the render
            JsonNode auth = one("TriggerAuthentication", trigger.at("/authenticationRef/name").asText());
            for (JsonNode ref : auth.at("/spec/secretTargetRef")) {
                assertThat(one("Secret", ref.path("name").asText()).at("/stringData").has(ref.path("key").asText())).isTrue();
            }

            // the MBean the template reads is the one ActiveMQ registers for that queue, with that attribute
            assertQueueSizeIsReadable(template, brokerName, metadata.path("destinationName").asText());
        }
        assertThat(queues).containsExactlyInAnyOrder(settings.getProperty("s3relay.queue.submissions"),
                settings.getProperty("s3relay.queue.uploads"));
    }

    @Test
    void theRelayPodPassesTheRelaysOwnChecksAndItsGracePeriodCoversTheShutdownBound() throws Exception {
        Properties settings = applicationProperties();
        JsonNode pod = one("Deployment", "s3-relay").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        Map<String, String> secrets = new HashMap<>();
        JsonNode secret = one("Secret", container.at("/envFrom/0/secretRef/name").asText());
        secret.path("stringData").fields().forEachRemaining(e -> secrets.put(e.getKey(), e.getValue().asText()));

        // every variable is a setting's environment form, but for the JVM's own
        for (String name : env.keySet()) {
            if (name.equals("JAVA_TOOL_OPTIONS")) {
                continue;
            }
            assertThat(settings.stringPropertyNames().stream().anyMatch(s -> environmentForm(s).equals(name)))
                    .as(name + " is the environment form of a setting in application.properties").isTrue();
        }
        // off loopback, the relay refuses to start unless Jolokia asks for credentials, kept in a Secret
        assertThat(env.get("CAMEL_MANAGEMENT_HOST")).isEqualTo("0.0.0.0");
        assertThat(env.get("CAMEL_MANAGEMENT_AUTHENTICATION_ENABLED")).isEqualTo("true");
        assertThat(mountOf(pod, container, env.get("CAMEL_MANAGEMENT_BASIC_PROPERTIES_FILE")).path("secret").isMissingNode())
                .isFalse();

        // the broker URL names both brokers of the pair, through a headless Service that lists the standby too
        String brokerUrl = env.get("S3RELAY_BROKER_URL");
        assertThat(brokerUrl).startsWith("failover:(tcp://activemq-0.activemq-pods:61616,tcp://activemq-1.activemq-pods:61616)");
        assertThat(one("StatefulSet", "activemq").at("/spec/serviceName").asText()).isEqualTo("activemq-pods");
        assertThat(one("Service", "activemq-pods").at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
        // the relay's retries wait their backoff in the broker's scheduler
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of("deploy/activemq/activemq.xml")))
                .contains("schedulerSupport=\"true\"");
        assertThat(secrets).containsKeys("S3RELAY_BROKER_USERNAME", "S3RELAY_BROKER_PASSWORD");

        // Kubernetes waits at least the shutdown bound before its SIGKILL
        long shutdownTimeout = Long.parseLong(env.getOrDefault("CAMEL_MAIN_SHUTDOWN_TIMEOUT",
                settings.getProperty("camel.main.shutdown-timeout")).trim());
        assertThat(shutdownTimeout).isEqualTo(Long.parseLong(settings.getProperty("camel.main.shutdown-timeout").trim()));
        assertThat(pod.path("terminationGracePeriodSeconds").asLong()).isGreaterThan(shutdownTimeout);

        // probes on the management server's health
        String port = settings.getProperty("camel.management.port").trim();
        assertThat(container.at("/ports/0/containerPort").asText()).isEqualTo(port);
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/path").asText()).as(probe).startsWith("/observe/health");
        }

        // non-root, read-only root filesystem; the data folder and /tmp are the pod's own writable volumes
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asLong()).isPositive();
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(mountOf(pod, container, env.get("S3RELAY_DATA_DIR") + "/x").has("emptyDir")).isTrue();
        assertThat(mountOf(pod, container, "/tmp/x").has("emptyDir")).isTrue();
        assertThat(container.at("/resources/requests/cpu").isMissingNode()).isFalse();
        assertThat(container.at("/resources/limits/memory").isMissingNode()).isFalse();

        // the routes are the repository's route files
        JsonNode routes = mountOf(pod, container, "/app/routes/x");
        JsonNode routesData = configMap(routes.at("/configMap/name").asText()).path("data");
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                assertThat(routesData.path(file.getFileName().toString()).asText()).as(file.toString())
                        .isEqualTo(Files.readString(file));
            }
        }
        // the integrations parse as the relay reads them, their secrets from the Secret, none of them literal
        JsonNode integrations = mountOf(pod, container, env.get("S3RELAY_INTEGRATIONS_FILE"));
        String yaml = configMap(integrations.at("/configMap/name").asText()).at("/data/integrations.yaml").asText();
        IntegrationsFile.Contents contents = new IntegrationsFile(secrets::get).parse(yaml, "integrations.yaml");
        assertThat(contents.problems()).isEmpty();
        assertThat(contents.integrations()).isNotEmpty();
        for (JsonNode item : YAML.readTree(yaml).path("integrations")) {
            assertThat(item.path("access_key_id").asText()).startsWith("${env:");
            assertThat(item.path("secret_access_key").asText()).startsWith("${env:");
        }

        JsonNode budget = one("PodDisruptionBudget", "s3-relay");
        assertThat(budget.at("/spec/selector/matchLabels")).isEqualTo(one("Deployment", "s3-relay").at("/spec/selector/matchLabels"));
    }

    @Test
    void theBrokerPairSharesOneVolumeAndRunsTheRepositorysBrokerConfiguration() throws Exception {
        JsonNode statefulSet = one("StatefulSet", "activemq");
        assertThat(statefulSet.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode pod = statefulSet.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        // one claim for both pods (not a claim template, which would give each its own store)
        assertThat(statefulSet.at("/spec/volumeClaimTemplates").isMissingNode()).isTrue();
        JsonNode data = mountOf(pod, container, "/opt/apache-activemq/data/kahadb");
        JsonNode claim = one("PersistentVolumeClaim", data.at("/persistentVolumeClaim/claimName").asText());
        assertThat(claim.at("/spec/accessModes").get(0).asText()).isEqualTo("ReadWriteMany");
        // the configuration compose uses, unchanged
        JsonNode config = mountOf(pod, container, "/opt/apache-activemq/conf/activemq.xml");
        assertThat(configMap(config.at("/configMap/name").asText()).at("/data/activemq.xml").asText())
                .isEqualTo(Files.readString(BROKER_XML));
        Element broker = brokerElement(Files.readString(BROKER_XML));
        assertThat(broker.getAttribute("schedulerSupport")).isEqualTo("true");
        assertThat(broker.getAttribute("schedulerDirectory")).startsWith("${activemq.data}");
        assertThat(Files.readString(BROKER_XML)).contains("<kahaDB directory=\"${activemq.data}/kahadb\"");
    }

    /**
     * The kustomization copied to a temporary folder with the files it names outside its own folder copied in and
     * named there: what an old kubectl renders as the repository's kustomization.
     */
    private static Path staged() throws IOException {
        Path stage = Files.createTempDirectory("s3relay-kustomize");
        try (Stream<Path> files = Files.list(KUSTOMIZATION)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, stage.resolve(file.getFileName()));
            }
        }
        Path kustomization = stage.resolve("kustomization.yaml");
        Matcher outside = Pattern.compile("=(\\.\\./\\S+)").matcher(Files.readString(kustomization));
        StringBuilder text = new StringBuilder();
        int n = 0;
        while (outside.find()) {
            Path source = KUSTOMIZATION.resolve(outside.group(1)).normalize();
            String name = "outside-" + (n++) + "-" + source.getFileName();
            Files.copy(source, stage.resolve(name));
            outside.appendReplacement(text, "=" + name);
        }
        outside.appendTail(text);
        Files.writeString(kustomization, text.toString());
        return stage;
    }

    /** Reads the template's QueueSize from a broker of that name, through the MBean server Jolokia reads. */
    private static void assertQueueSizeIsReadable(String template, String brokerName, String queue) throws Exception {
        Matcher m = Pattern.compile("/api/jolokia/read/(.+)/([A-Za-z]+)$").matcher(template);
        assertThat(m.find()).as(template).isTrue();
        String objectName = m.group(1).replace("{{.BrokerName}}", brokerName).replace("{{.DestinationName}}", queue);
        BrokerService broker = new BrokerService();
        broker.setBrokerName(brokerName);
        broker.setPersistent(false);
        broker.setUseJmx(true);
        broker.getManagementContext().setCreateConnector(false);
        broker.setUseShutdownHook(false);
        broker.start();
        try {
            broker.getAdminView().addQueue(queue);
            broker.getDestination(new ActiveMQQueue(queue));
            Object size = ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName(objectName), m.group(2));
            assertThat(size).as(objectName + " " + m.group(2)).isEqualTo(0L);
        } finally {
            broker.stop();
            broker.waitUntilStopped();
        }
    }

    private static JsonNode one(String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)
                        && o.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the render"));
    }

    /** A generated ConfigMap by its name before kustomize added its hash. */
    private static JsonNode configMap(String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")
                        && o.at("/metadata/name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in the render"));
    }

    private static String configMapData(String generatorName, String key) {
        return objects.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")
                        && o.at("/metadata/name").asText().startsWith(generatorName + "-")).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + generatorName)).at("/data/" + key).asText();
    }

    /** The volume mounted where a path lies, found through the container's mounts. */
    private static JsonNode mountOf(JsonNode pod, JsonNode container, String path) {
        JsonNode best = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            String at = mount.path("mountPath").asText();
            if ((path.equals(at) || path.startsWith(at + "/"))
                    && (best == null || at.length() > best.path("mountPath").asText().length())) {
                best = mount;
            }
        }
        assertThat(best).as("a volume mounted at " + path).isNotNull();
        String volume = best.path("name").asText();
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + volume);
    }

    private static Element brokerElement(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        var document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        return (Element) document.getElementsByTagNameNS("http://activemq.apache.org/schema/core", "broker").item(0);
    }

    private static String environmentForm(String setting) {
        return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Properties applicationProperties() throws IOException {
        Properties settings = new Properties();
        try (InputStream in = KubernetesManifestsTest.class.getClassLoader().getResourceAsStream("application.properties")) {
            settings.load(in);
        }
        return settings;
    }

    /** Skips when the set-up is missing, saying why; fails instead where S3RELAY_KUBERNETES_TESTS=required (CI). */
    static void require(boolean ready, String why) {
        if ("required".equals(System.getenv("S3RELAY_KUBERNETES_TESTS"))) {
            assertThat(ready).as(why).isTrue();
        }
        assumeTrue(ready, why);
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    record Result(int exit, String output) {
    }

    private static Result run(List<String> command, String input) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            try (var in = process.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            process.getOutputStream().close();
        }
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
