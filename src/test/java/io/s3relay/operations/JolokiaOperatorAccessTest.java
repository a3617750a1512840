package io.s3relay.operations;

import static io.s3relay.operations.JolokiaAccessTest.CONTEXT;
import static io.s3relay.operations.JolokiaAccessTest.UPLOADS;
import static io.s3relay.operations.JolokiaAccessTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the management server asks for credentials (camel.management.authentication-enabled=true, as docker
 * compose runs it), an authorised user can stop and start routes through Jolokia, as Hawtio's route view does, and
 * nothing more than a user without credentials could on loopback.
 */
class JolokiaOperatorAccessTest extends RelayRouteTestSupport {

    private static final int port = RelayFixture.freePort();
    private static final String secret = "sys-secret-" + UUID.randomUUID();
    /** The management server's users, read when the relay starts. */
    private static final Path users = usersFile("user.hawtio = relay-side-secret,operator\n");

    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(port),
                "camel.management.authentication-enabled", "true",
                "camel.management.basic-properties-file", users.toString());
    }

    /** Jolokia stops and starts the routes through their MBeans: the kit leaves JMX off unless asked. */
    @Override
    protected boolean useJmx() {
        return true;
    }

    @BeforeAll
    static void setSystemSecret() {
        System.setProperty(JolokiaAccessTest.SECRET_PROPERTY, secret);
    }

    @AfterAll
    static void removeUsersAndSecret() throws IOException {
        Files.deleteIfExists(users);
        System.clearProperty(JolokiaAccessTest.SECRET_PROPERTY);
    }

    @Test
    void stopsAndStartsRoutesOnlyForAnAuthorisedUserWhenCredentialsAreRequired() throws Exception {
        context.start();
        JolokiaClient anonymous = new JolokiaClient(port);
        Map<String, Object> stop = Map.of("type", "exec", "mbean", UPLOADS, "operation", "stop()");
        assertThat(anonymous.send(stop, Map.of()).statusCode()).isEqualTo(401);
        assertThat(anonymous.as("hawtio", "wrong").send(stop, Map.of()).statusCode()).isEqualTo(401);
        assertThat(routeState()).isEqualTo("Started");

        JolokiaClient operator = anonymous.as("hawtio", "relay-side-secret");
        assertThat(operator.post(stop).path("status").asInt()).isEqualTo(200);
        assertThat(routeState()).isEqualTo("Stopped");
        assertThat(operator.exec(UPLOADS, "start()").path("status").asInt()).isEqualTo(200);
        assertThat(routeState()).isEqualTo("Started");

        // the operator's credentials open start and stop, nothing else
        for (Map<String, Object> request : List.of(
                Map.<String, Object>of("type", "exec", "mbean", UPLOADS, "operation", "remove()"),
                Map.<String, Object>of("type", "exec", "mbean", UPLOADS, "operation", "stop(long)",
                        "arguments", List.of(1)),
                Map.<String, Object>of("type", "exec", "mbean", CONTEXT, "operation", "stop()"),
                Map.<String, Object>of("type", "exec", "mbean", CONTEXT,
                        "operation", "requestStringBody(java.lang.String,java.lang.String)",
                        "arguments", List.of("language:simple:${sys." + JolokiaAccessTest.SECRET_PROPERTY + "}", "")),
                Map.<String, Object>of("type", "write", "mbean", CONTEXT, "attribute", "Tracing", "value", true),
                Map.<String, Object>of("type", "read", "mbean", "java.lang:type=Runtime",
                        "attribute", "SystemProperties"))) {
            HttpResponse<String> answer = operator.send(request, Map.of());
            assertThat(JolokiaClient.JSON.readTree(answer.body()).path("status").asInt()).as(answer.body())
                    .isEqualTo(403);
            assertThat(answer.body()).doesNotContain(secret);
        }
        assertThat(operator.get("/exec/" + UPLOADS.replace("\"", "%22") + "/stop()").path("status").asInt())
                .as("no GET, even with credentials").isEqualTo(403);
        // a page that the operator's browser opens cannot use credentials the browser remembers
        assertRefused(operator.send(stop, Map.of("Origin", "http://attacker.example")));
        assertThat(routeState()).isEqualTo("Started");
    }

    /** A management users file of its own, as {@code camel.management.basic-properties-file} names it. */
    static Path usersFile(String lines) {
        try {
            Path file = Files.createTempFile("management-users", ".properties");
            Files.writeString(file, lines);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String routeState() {
        return context.getRouteController().getRouteStatus("uploads").name();
    }
}
