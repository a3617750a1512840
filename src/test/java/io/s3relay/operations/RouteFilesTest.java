package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The route files that operators edit are valid Camel YAML DSL (the schema that Kaoto and the editor tooling use),
 * and read as the documentation of the flow: every route has an id, a description and its routeConfiguration.
 */
class RouteFilesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static JsonSchema schema;

    /** Camel's own schema of the YAML DSL, from the camel-yaml-dsl jar: loaded once, it is large. */
    private static synchronized JsonSchema schema() throws Exception {
        if (schema == null) {
            try (InputStream in = RouteFilesTest.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
                schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
            }
        }
        return schema;
    }

    static Stream<Path> routeFiles() throws Exception {
        List<Path> files;
        try (Stream<Path> listing = Files.list(Path.of("routes"))) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("submissions.camel.yaml", "uploads.camel.yaml", "errors.camel.yaml");
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void validatesAgainstCamelsYamlDslSchema(Path file) throws Exception {
        Set<ValidationMessage> problems = schema().validate(YAML.readTree(file.toFile()));
        assertThat(problems).as(file + " against camelYamlDsl.json").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void givesEveryRouteAnIdAndItsErrorHandling(Path file) throws Exception {
        for (JsonNode element : YAML.readTree(file.toFile())) {
            JsonNode route = element.get("route");
            if (route != null) {
                assertThat(route.path("id").asText()).as(file + " route id").isNotBlank();
                // a route that takes messages from a queue retries and dead-letters them; a shared step called by
                // other routes (direct:) hands its failures back to them; a check on a timer logs and runs again
                String from = route.path("from").path("uri").asText();
                assertThat(route.path("routeConfigurationId").asText()).as(file + " routeConfigurationId")
                        .isEqualTo(from.startsWith("direct:") ? "to-the-caller" : from.startsWith("timer:") ? "checks" : "errors");
                assertThat(route.path("description").asText()).as(file + " description").isNotBlank();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void catchesAnInvalidRouteFile(Path file) throws Exception {
        // the schema check itself must be able to fail: the same file with a misspelt step is refused
        String broken = Files.readString(file).replace("- route:", "- rout:").replace("- routeConfiguration:", "- routeConfig:");
        assertThat(schema().validate(YAML.readTree(broken))).isNotEmpty();
    }

    /**
     * Simple evaluates a path into an exchange property ({@code ${exchangeProperty.copy.key}}) by building a bean
     * expression for the value each time, which introspects its class anew on every message: one such read in the
     * upload route took 8 % of the relay's CPU. The routes take values from bean results and variables instead.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void readsNoPathIntoAPropertyOrHeader(Path file) throws Exception {
        assertThat(OGNL_PATH.matcher(Files.readString(file)).results().map(m -> m.group()).toList())
                .as(file + ": Simple paths into an object").isEmpty();
        // the check finds what it is there for
        assertThat(OGNL_PATH.matcher("simple: ${exchangeProperty.s3relayCopy.key}").find()).isTrue();
        assertThat(OGNL_PATH.matcher("simple: ${header.CamelAwsS3Key} ${exchangeProperty.s3relayCopy}").find()).isFalse();
        assertThat(OGNL_PATH.matcher("simple: ${variable.customerEndpoint} ${body}").find()).isFalse();
        assertThat(OGNL_PATH.matcher("simple: ${body.length()}").find()).isTrue();
    }

    private static final java.util.regex.Pattern OGNL_PATH =
            java.util.regex.Pattern.compile("\\$\\{(exchangeProperty|header|headers|variable|body)(\\.[\\w-]++)?+[.?\\[(][^}]*}");
}
