package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

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
        assertThat(published).isGreaterThanOrEqualTo(4);
    }

    @Test
    void theRelaysEnvironmentNamesRealSettings() throws Exception {
        Properties settings = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            settings.load(in);
        }
        JsonNode environment = compose().path("services").path("relay").path("environment");
        assertThat(environment.size()).isPositive();
        for (Map.Entry<String, JsonNode> variable : fields(environment)) {
            boolean known = settings.stringPropertyNames().stream().anyMatch(name ->
                    name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_').equals(variable.getKey()));
            assertThat(known).as(variable.getKey() + " is the environment form of a setting in application.properties").isTrue();
        }
        assertThat(environment.path("S3RELAY_BROKER_URL").asText()).contains("activemq:61616");
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

    private static JsonNode compose() throws Exception {
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
