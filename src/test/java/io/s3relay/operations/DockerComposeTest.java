package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * There is no Docker engine here, so docker-compose.yml is checked for what can go wrong without one: every
 * service has an image or a build that exists, the relay's environment names real settings, mounted files
 * exist, and dependencies name services of the file.
 */
class DockerComposeTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyServiceHasAnImageOrABuildThatExists() throws Exception {
        JsonNode services = compose().path("services");
        assertThat(services.fieldNames()).toIterable().contains("activemq", "s3", "relay");
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            JsonNode build = service.getValue().get("build");
            if (build != null) {
                Path context = Path.of(build.isTextual() ? build.asText() : build.path("context").asText("."));
                assertThat(context.resolve("Dockerfile")).as(service.getKey() + " build").exists();
            } else {
                assertThat(service.getValue().path("image").asText()).as(service.getKey() + " image").isNotBlank();
            }
            for (JsonNode dependency : iterable(service.getValue().path("depends_on").fieldNames())) {
                assertThat(services.has(dependency.asText())).as(service.getKey() + " depends on " + dependency).isTrue();
            }
        }
    }

    @Test
    void publishesEveryPortOnTheHostsLoopbackOnly() throws Exception {
        int published = 0;
        for (Map.Entry<String, JsonNode> service : fields(compose().path("services"))) {
            for (JsonNode port : service.getValue().path("ports")) {
                String mapping = port.isTextual() ? port.asText() : port.path("host_ip").asText("") + ":" + port.path("published").asText();
                assertThat(mapping).as(service.getKey() + " publishes " + mapping).startsWith("127.0.0.1:");
                published++;
            }
        }
        assertThat(published).isGreaterThanOrEqualTo(6);
    }

    @Test
    void theRelaysEnvironmentNamesRealSettings() throws Exception {
        Properties settings = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            settings.load(in);
        }
        JsonNode services = compose().path("services");
        JsonNode environment = services.path("relay").path("environment");
        assertThat(environment.size()).isPositive();
        // every service that runs the relay's image: the relay itself and the S3 stand-in (its local-s3 command)
        int checked = 0;
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            if (!service.getValue().has("build") || !buildContext(service.getValue()).equals(Path.of("."))) {
                continue;
            }
            for (Map.Entry<String, JsonNode> variable : fields(service.getValue().path("environment"))) {
                boolean known = settings.stringPropertyNames().stream().anyMatch(name ->
                        name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_').equals(variable.getKey()));
                assertThat(known).as(service.getKey() + ": " + variable.getKey()
                        + " is the environment form of a setting in application.properties").isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(environment.size());
        assertThat(environment.path("S3RELAY_BROKER_URL").asText()).contains("activemq:61616");
        // the broker has a scheduler: compose runs the same retry design as the default run
        assertThat(environment.has("S3RELAY_RETRY_BROKER_SCHEDULER")).isFalse();
    }

    @Test
    void everyImageIsPinnedToAVersion() throws Exception {
        for (Map.Entry<String, JsonNode> service : fields(compose().path("services"))) {
            JsonNode image = service.getValue().get("image");
            if (image == null) {
                assertThat(service.getValue().has("build")).as(service.getKey() + " has an image or a build").isTrue();
                continue;
            }
            String reference = image.asText();
            String name = reference.contains("@") ? reference.substring(0, reference.indexOf('@')) : reference;
            String tag = name.lastIndexOf(':') > name.lastIndexOf('/') ? name.substring(name.lastIndexOf(':') + 1) : "";
            assertThat(tag).as(service.getKey() + " image " + reference + " names a version").isNotBlank()
                    .isNotEqualTo("latest").containsPattern("\\d");
            // MinIO's images left Docker Hub: a pull of minio/minio or minio/mc is refused
            assertThat(name).as(service.getKey() + " image").doesNotStartWith("minio/");
        }
    }

    @Test
    void theBrokerRunsTheMountedConfigurationWithItsScheduler() throws Exception {
        JsonNode activemq = compose().path("services").path("activemq");
        String mounted = mountedAt(activemq, "/opt/apache-activemq/conf/activemq.xml");
        assertThat(mounted).as("the broker mounts its configuration over the image's").isNotNull();
        var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        org.w3c.dom.Document xml = factory.newDocumentBuilder().parse(Path.of(mounted).toFile());
        org.w3c.dom.NodeList brokers = xml.getElementsByTagNameNS("http://activemq.apache.org/schema/core", "broker");
        assertThat(brokers.getLength()).isEqualTo(1);
        org.w3c.dom.Element broker = (org.w3c.dom.Element) brokers.item(0);
        assertThat(broker.getAttribute("schedulerSupport")).isEqualTo("true");
        // the relay's queue depths come from the statistics plugin
        assertThat(broker.getElementsByTagNameNS("http://activemq.apache.org/schema/core", "statisticsBrokerPlugin")
                .getLength()).isEqualTo(1);
    }

    @Test
    void theS3StandInServesTheBucketAndCredentialsOfTheSampleIntegration() throws Exception {
        JsonNode services = compose().path("services");
        JsonNode s3 = services.path("s3");
        assertThat(buildContext(s3)).isEqualTo(Path.of("."));
        assertThat(s3.path("command").toString()).contains("local-s3");
        JsonNode env = s3.path("environment");
        assertThat(env.path("S3RELAY_LOCAL_S3_HOST").asText()).isEqualTo("0.0.0.0");
        JsonNode relay = services.path("relay");
        assertThat(relay.path("depends_on").path("s3").path("condition").asText()).isEqualTo("service_healthy");
        JsonNode integration = YAML.readTree(Path.of(mountedAt(relay, "/app/config/integrations.yaml")).toFile())
                .path("integrations").get(0);
        assertThat(URI.create(integration.path("endpoint").asText()))
                .isEqualTo(URI.create("http://s3:" + env.path("S3RELAY_LOCAL_S3_PORT").asText()));
        assertThat(env.path("S3RELAY_LOCAL_S3_BUCKETS").asText().split(","))
                .contains(integration.path("bucket").asText());
        assertThat(integration.path("access_key_id").asText()).isEqualTo(env.path("S3RELAY_LOCAL_S3_ACCESS_KEY").asText());
        assertThat(integration.path("secret_access_key").asText()).isEqualTo(env.path("S3RELAY_LOCAL_S3_SECRET_KEY").asText());
    }

    @Test
    void theHawtioConsoleReachesTheRelaysJolokiaAsAUserTheRelayKnows() throws Exception {
        JsonNode services = compose().path("services");
        JsonNode console = services.path("hawtio").path("environment");
        String server = Files.readString(Path.of("console", "server.mjs"));
        for (Map.Entry<String, JsonNode> variable : fields(console)) {
            assertThat(server).as(variable.getKey() + " is read by console/server.mjs").contains("env." + variable.getKey());
        }
        URI jolokia = URI.create(console.path("S3RELAY_JOLOKIA_URL").asText());
        assertThat(jolokia.getHost()).isEqualTo("relay");
        assertThat(jolokia.getPort()).isEqualTo(8080);
        assertThat(jolokia.getPath()).isEqualTo("/observe/jolokia");
        assertThat(services.path("hawtio").path("depends_on").has("relay")).isTrue();

        // the relay asks for credentials off loopback, and the console's user is in the file the relay reads
        JsonNode relay = services.path("relay");
        assertThat(relay.path("environment").path("CAMEL_MANAGEMENT_AUTHENTICATION_ENABLED").asText()).isEqualTo("true");
        String usersFile = relay.path("environment").path("CAMEL_MANAGEMENT_BASIC_PROPERTIES_FILE").asText();
        String mounted = null;
        for (JsonNode volume : relay.path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(usersFile)) {
                mounted = parts[0];
            }
        }
        assertThat(mounted).as("the relay mounts " + usersFile).isNotNull();
        Properties users = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(mounted))) {
            users.load(in);
        }
        assertThat(users.getProperty("user." + console.path("S3RELAY_JOLOKIA_USER").asText(), ""))
                .startsWith(console.path("S3RELAY_JOLOKIA_PASSWORD").asText() + ",");
        assertThat(Path.of("console", "Dockerfile")).content().contains("npm run build").contains("server.mjs");
    }

    @Test
    void mountsFilesAndFoldersThatExist() throws Exception {
        for (Map.Entry<String, JsonNode> service : fields(compose().path("services"))) {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(Path.of(source)).as(service.getKey() + " mounts " + source).exists();
                }
            }
        }
    }

    @Test
    void theDockerfileCopiesWhatTheRelayNeeds() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile).contains("COPY routes").contains("COPY config").contains("s3-relay.jar").contains("target/lib");
    }

    @Test
    void theImageStartsTheRelayFromTheClassArchiveItsOwnJvmMade() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        int runtimeStage = lines.indexOf(lines.stream().filter(l -> l.startsWith("FROM ") && !l.contains(" AS ")).findFirst().orElseThrow());
        List<String> runtime = lines.subList(runtimeStage, lines.size());
        // made in the image that runs it, after its jars and routes are in place (the JVM refuses an archive of others)
        int archived = indexOf(runtime, "RUN java -XX:ArchiveClassesAtExit=/app/s3-relay.jsa ");
        assertThat(runtime.get(archived)).endsWith("-jar /app/s3-relay.jar archive-classes");
        assertThat(archived).isGreaterThan(indexOf(runtime, "COPY routes")).isGreaterThan(indexOf(runtime, "COPY config"));
        assertThat(entrypoint()).containsSubsequence("java", "-XX:SharedArchiveFile=/app/s3-relay.jsa", "-jar", "/app/s3-relay.jar");
        // the build stage leaves the archive to the runtime stage
        assertThat(lines.subList(0, runtimeStage)).anyMatch(l -> l.contains("package") && l.contains("-Ds3relay.class-archive.skip=true"));
    }

    @Test
    void theImageRunsG1WhereTheJvmWouldPickTheSerialCollector() throws Exception {
        // the image's JVM options but the archive, which only the image holds
        List<String> entrypoint = entrypoint();
        List<String> options = new ArrayList<>();
        for (String word : entrypoint.subList(1, entrypoint.indexOf("-jar"))) {
            if (!word.startsWith("-XX:SharedArchiveFile=")) {
                options.add(word);
            }
        }
        // one CPU stands for a container below 2 CPUs or about 1.8 GiB (the Kubernetes pods' 768Mi)
        assertThat(collectorOn(List.of("-XX:ActiveProcessorCount=1"))).as("the JVM's own choice").isEqualTo("UseSerialGC");
        List<String> imageOnOneCpu = new ArrayList<>(options);
        imageOnOneCpu.add("-XX:ActiveProcessorCount=1");
        assertThat(collectorOn(imageOnOneCpu)).as("with the image's options " + options).isEqualTo("UseG1GC");
    }

    /** The collector a JVM of this Java starts with, given these options. */
    private static String collectorOn(List<String> options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String flags = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jvm.waitFor()).as(flags).isZero();
        Matcher collector = Pattern.compile("bool (Use(?:Serial|Parallel|G1|Z|Shenandoah)GC)\\s+= true").matcher(flags);
        assertThat(collector.find()).as(flags).isTrue();
        return collector.group(1);
    }

    /** The words of the runtime stage's ENTRYPOINT. */
    private static List<String> entrypoint() throws Exception {
        String line = Files.readAllLines(Path.of("Dockerfile")).stream().filter(l -> l.startsWith("ENTRYPOINT "))
                .reduce((first, last) -> last).orElseThrow();
        return List.of(new ObjectMapper().readValue(line.substring("ENTRYPOINT ".length()), String[].class));
    }

    private static int indexOf(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with " + start);
    }

    @Test
    void prometheusScrapesTheRelayAndLoadsTheAlertRules() throws Exception {
        JsonNode services = compose().path("services");
        JsonNode prometheus = services.path("prometheus");
        JsonNode config = YAML.readTree(Path.of(mountedAt(prometheus, "/etc/prometheus/prometheus.yml")).toFile());
        JsonNode job = config.path("scrape_configs").get(0);
        assertThat(config.path("scrape_configs")).hasSize(1);
        assertThat(job.path("job_name").asText()).isEqualTo("s3-relay");
        assertThat(job.path("metrics_path").asText()).isEqualTo("/observe/metrics");
        // the relay service on its management port, which listens beyond the container's loopback
        Properties settings = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            settings.load(in);
        }
        JsonNode relayEnv = services.path("relay").path("environment");
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText())
                .isEqualTo("relay:" + relayEnv.path("CAMEL_MANAGEMENT_PORT").asText(settings.getProperty("camel.management.port")));
        assertThat(relayEnv.path("CAMEL_MANAGEMENT_HOST").asText()).isEqualTo("0.0.0.0");
        // the rule file it names is the one mounted there, and the one PrometheusRulesTest tests
        String rules = config.path("rule_files").get(0).asText();
        assertThat(Path.of(mountedAt(prometheus, rules)).normalize()).isEqualTo(PrometheusTools.ALERTS);
    }

    @Test
    void grafanaReadsThePrometheusServiceAndProvisionsTheDashboard() throws Exception {
        JsonNode services = compose().path("services");
        JsonNode grafana = services.path("grafana");
        Path provisioning = Path.of(mountedAt(grafana, "/etc/grafana/provisioning"));
        JsonNode datasource = YAML.readTree(provisioning.resolve("datasources/prometheus.yml").toFile())
                .path("datasources").get(0);
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        URI url = URI.create(datasource.path("url").asText());
        assertThat(services.has(url.getHost())).as("the datasource names a compose service").isTrue();
        assertThat(url.getHost()).isEqualTo("prometheus");
        assertThat(url.getPort()).isEqualTo(9090);
        assertThat(services.path("prometheus").path("ports").get(0).asText()).endsWith(":9090");

        // the dashboards folder the provider reads is where the dashboards are mounted, and they use that datasource
        String folder = YAML.readTree(provisioning.resolve("dashboards/s3-relay.yml").toFile())
                .path("providers").get(0).path("options").path("path").asText();
        Path dashboards = Path.of(mountedAt(grafana, folder));
        assertThat(dashboards.resolve("s3-relay.json").normalize()).isEqualTo(PrometheusTools.DASHBOARD);
        JsonNode dashboard = YAML.readTree(PrometheusTools.DASHBOARD.toFile());
        assertThat(dashboard.path("panels")).isNotEmpty().allSatisfy(panel -> {
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo(datasource.path("uid").asText());
            assertThat(panel.path("targets")).isNotEmpty();
        });
        assertThat(grafana.path("environment").path("GF_SECURITY_ADMIN_PASSWORD").asText()).startsWith("${");
    }

    /** The host file a service mounts at a path of its container, or null. */
    static String mountedAt(JsonNode service, String containerPath) {
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(containerPath)) {
                return parts[0];
            }
        }
        return null;
    }

    private static Path buildContext(JsonNode service) {
        JsonNode build = service.path("build");
        return Path.of(build.isTextual() ? build.asText() : build.path("context").asText("."));
    }

    static JsonNode compose() throws Exception {
        return YAML.readTree(Path.of("docker-compose.yml").toFile());
    }

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        return node::fields;
    }

    private static Iterable<JsonNode> iterable(Iterator<String> names) {
        return () -> new Iterator<>() {
            public boolean hasNext() {
                return names.hasNext();
            }

            public JsonNode next() {
                return com.fasterxml.jackson.databind.node.TextNode.valueOf(names.next());
            }
        };
    }
}
