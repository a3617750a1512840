package io.s3relay.operations;

import static io.s3relay.operations.JolokiaAccessTest.CONTEXT;
import static io.s3relay.operations.JolokiaAccessTest.UPLOADS;
import static io.s3relay.operations.JolokiaAccessTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.s3relay.support.RelayFixture;
import org.junit.jupiter.api.Test;

/**
 * Where the management server asks for credentials (camel.management.authentication-enabled=true, as docker
 * compose runs it), an authorised user can stop and start routes through Jolokia, as Hawtio's route view does, and
 * nothing more than a user without credentials could on loopback.
 */
class JolokiaOperatorAccessTest {

    @Test
    void stopsAndStartsRoutesOnlyForAnAuthorisedUserWhenCredentialsAreRequired() throws Exception {
        String secret = "sys-secret-" + UUID.randomUUID();
        System.setProperty(JolokiaAccessTest.SECRET_PROPERTY, secret);
        int port = RelayFixture.freePort();
        Path users = Files.createTempFile("management-users", ".properties");
        Files.writeString(users, "user.hawtio = relay-side-secret,operator\n");
        try (RelayFixture relay = RelayFixture.start(Map.of("camel.management.enabled", "true",
                "camel.management.port", String.valueOf(port),
                "camel.management.authentication-enabled", "true",
                "camel.management.basic-properties-file", users.toString()))) {
            JolokiaClient anonymous = new JolokiaClient(port);
            Map<String, Object> stop = Map.of("type", "exec", "mbean", UPLOADS, "operation", "stop()");
            assertThat(anonymous.send(stop, Map.of()).statusCode()).isEqualTo(401);
            assertThat(anonymous.as("hawtio", "wrong").send(stop, Map.of()).statusCode()).isEqualTo(401);
            assertThat(routeState(relay)).isEqualTo("Started");

            JolokiaClient operator = anonymous.as("hawtio", "relay-side-secret");
            assertThat(operator.post(stop).path("status").asInt()).isEqualTo(200);
            assertThat(routeState(relay)).isEqualTo("Stopped");
            assertThat(operator.exec(UPLOADS, "start()").path("status").asInt()).isEqualTo(200);
            assertThat(routeState(relay)).isEqualTo("Started");

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
            assertThat(routeState(relay)).isEqualTo("Started");
        } finally {
            Files.deleteIfExists(users);
            System.clearProperty(JolokiaAccessTest.SECRET_PROPERTY);
        }
    }

    private static String routeState(RelayFixture relay) {
        return relay.relay().getCamelContext().getRouteController().getRouteStatus("uploads").name();
    }
}
