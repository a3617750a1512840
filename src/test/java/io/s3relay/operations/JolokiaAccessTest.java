package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Who may call the relay's Jolokia (/observe/jolokia) and what it does for them. Without management credentials (the
 * default, on loopback) it only reads, and runs the few operations that Hawtio's route view draws with; with
 * credentials an authorised user can also stop and start routes. It never writes an attribute, never answers a
 * request that a browser page sent (one with an Origin or a Referer), never answers a GET, and never shows system
 * properties, JVM arguments or anything that resolves a property or an environment variable. One relay for the class,
 * with its management server and JMX on as Camel Main runs them: no test advises a route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JolokiaAccessTest extends RelayRouteTestSupport {

    static final String SECRET_PROPERTY = "s3relay.test.jolokia-secret";
    private static final String SYSTEM_SECRET = "sys-secret-" + UUID.randomUUID();
    private static final String RELAY_SECRET = "relay-secret-" + UUID.randomUUID();

    static final String UPLOADS = "org.apache.camel:context=s3-relay,type=routes,name=\"uploads\"";
    static final String CONTEXT = "org.apache.camel:context=s3-relay,type=context,name=\"s3-relay\"";

    private static final int port = RelayFixture.freePort();
    private static final JolokiaClient jolokia = new JolokiaClient(port);

    /** Without management credentials; a secret in the relay's own settings, which no answer may carry. */
    @Override
    protected Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(port),
                "s3relay.source.s3.secret-key", RELAY_SECRET);
    }

    /** Jolokia reads the relay's MBeans: the kit leaves JMX off unless asked. */
    @Override
    protected boolean useJmx() {
        return true;
    }

    /** A secret in a system property too, set before the relay is made and started. */
    @BeforeAll
    static void setSystemSecret() {
        System.setProperty(SECRET_PROPERTY, SYSTEM_SECRET);
    }

    @AfterAll
    static void clearSystemSecret() {
        System.clearProperty(SECRET_PROPERTY);
    }

    @BeforeEach
    void startRelay() {
        context.start();
    }

    @Test
    void answersTheReadsAndOperationsOfHawtiosRouteView() throws Exception {
        assertThat(post(Map.of("type", "version")).path("status").asInt()).isEqualTo(200);
        JsonNode list = post(Map.of("type", "list", "path", "org.apache.camel"));
        assertThat(list.path("status").asInt()).isEqualTo(200);
        assertThat(list.path("value").toString()).contains("type=routes");
        JsonNode search = post(Map.of("type", "search", "mbean", "org.apache.camel:type=routes,*"));
        assertThat(search.path("value").toString()).contains("uploads").contains("submissions");
        JsonNode routes = post(Map.of("type", "read", "mbean", "org.apache.camel:context=*,type=routes,name=*",
                "attribute", List.of("RouteId", "State", "ExchangesCompleted")));
        assertThat(routes.path("status").asInt()).isEqualTo(200);
        assertThat(routes.path("value").path(UPLOADS).path("State").asText()).isEqualTo("Started");

        // the diagram and the source view
        JsonNode xml = exec(CONTEXT, "dumpRoutesAsXml()");
        assertThat(xml.path("status").asInt()).isEqualTo(200);
        assertThat(xml.path("value").asText()).contains("put-object").contains("{{s3relay.queue.uploads}}");
        // each step's counters on the diagram, as Hawtio asks for them (the operation's name alone)
        JsonNode stats = exec(CONTEXT, "dumpRoutesStatsAsXml", true, true);
        assertThat(stats.path("status").asInt()).isEqualTo(200);
        assertThat(stats.path("value").asText()).contains("routeStat").contains("processorStat");
        // "Endpoints (in/out)" and "Inflight Exchanges"
        assertThat(exec("org.apache.camel:context=s3-relay,type=services,name=DefaultRuntimeEndpointRegistry",
                "endpointStatistics()").path("status").asInt()).isEqualTo(200);
        assertThat(exec("org.apache.camel:context=s3-relay,type=services,name=DefaultInflightRepository", "browse()")
                .path("status").asInt()).isEqualTo(200);
    }

    @Test
    void refusesToStopARouteWithoutManagementCredentials() throws Exception {
        assertThat(exec(UPLOADS, "stop()").path("status").asInt()).isEqualTo(403);
        assertThat(exec(UPLOADS, "stop(long)", 1).path("status").asInt()).isEqualTo(403);
        assertThat(exec(UPLOADS, "remove()").path("status").asInt()).isEqualTo(403);
        assertThat(exec(CONTEXT, "stop()").path("status").asInt()).isEqualTo(403);
        assertThat(routeState("uploads")).isEqualTo("Started");
    }

    @Test
    void answersNoGetRequestNotEvenARead() throws Exception {
        JsonNode stop = jolokia.get("/exec/" + UPLOADS.replace("\"", "%22") + "/stop()");
        assertThat(stop.path("status").asInt()).isEqualTo(403);
        assertThat(routeState("uploads")).isEqualTo("Started");
        assertThat(jolokia.get("/read/java.lang:type=Threading/ThreadCount").path("status").asInt()).isEqualTo(403);
    }

    @Test
    void refusesEveryRequestThatABrowserPageSent() throws Exception {
        Map<String, Object> read = Map.of("type", "read", "mbean", "java.lang:type=Threading", "attribute", "ThreadCount");
        assertThat(post(read).path("value").asInt()).isPositive();
        String own = "http://127.0.0.1:" + port;
        for (Map.Entry<String, String> header : List.of(Map.entry("Origin", "http://attacker.example"),
                Map.entry("Origin", own), Map.entry("Origin", "null"),
                Map.entry("Referer", "http://attacker.example/page.html"))) {
            HttpResponse<String> answer = jolokia.send(read, Map.of(header.getKey(), header.getValue()));
            assertRefused(answer);
        }

        // the reproduced attack: a page's form posts text/plain, its Host a rebound name of the attacker's
        String stop = JolokiaClient.JSON.writeValueAsString(Map.of("type", "exec", "mbean", UPLOADS, "operation", "stop()"));
        String answer = jolokia.raw("POST /observe/jolokia HTTP/1.1\r\nHost: attacker.example:" + port
                + "\r\nOrigin: http://attacker.example:" + port + "\r\nContent-Type: text/plain\r\nContent-Length: "
                + stop.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + stop);
        assertThat(answer).doesNotStartWith("HTTP/1.1 200").doesNotContain("\"value\"");
        assertThat(routeState("uploads")).isEqualTo("Started");
    }

    @Test
    void neverShowsSystemPropertiesOrJvmArguments() throws Exception {
        assertThat(read("java.lang:type=Runtime", "SystemProperties").path("status").asInt()).isEqualTo(403);
        assertThat(read("java.lang:type=Runtime", "InputArguments").path("status").asInt()).isEqualTo(403);
        assertThat(read(CONTEXT, "GlobalOptions").path("status").asInt()).isEqualTo(403);
        // the rest of the Runtime MBean stays readable
        assertThat(read("java.lang:type=Runtime", "Uptime").path("status").asInt()).isEqualTo(200);
        JsonNode runtime = post(Map.of("type", "read", "mbean", "java.lang:type=Runtime",
                "config", Map.of("ignoreErrors", true)));
        assertThat(runtime.path("value").path("VmName").asText()).isNotEmpty();
        assertThat(runtime.toString()).doesNotContain(SYSTEM_SECRET).doesNotContain("java.class.path");
    }

    @Test
    void reachesNoOperationThatResolvesPropertiesOrEnvironmentVariables() throws Exception {
        String property = "${sys." + SECRET_PROPERTY + "}";
        List<JsonNode> answers = new ArrayList<>();
        // what leaked before: Camel's context evaluates expressions and resolves placeholders for its callers
        answers.add(exec(CONTEXT, "requestStringBody(java.lang.String,java.lang.String)",
                "language:simple:" + property, ""));
        answers.add(exec(CONTEXT, "requestStringBody(java.lang.String,java.lang.String)",
                "language:simple:${env:PATH}", ""));
        answers.add(exec(CONTEXT, "requestBody", "language:simple:" + property, ""));
        answers.add(exec(CONTEXT, "sendStringBody(java.lang.String,java.lang.String)", "log:leak", property));
        answers.add(exec(CONTEXT, "getGlobalOption(java.lang.String)", "CamelJacksonEnableTypeConverter"));
        answers.add(exec(CONTEXT, "dumpRoutesAsXml(boolean)", true));
        answers.add(exec(CONTEXT, "dumpRoutesAsXml(boolean,boolean)", true, true));
        answers.add(exec(CONTEXT, "dumpRoutesAsXml", true));
        answers.add(exec(CONTEXT, "dumpRoutesAsYaml(boolean)", true));
        answers.add(exec(UPLOADS, "dumpRouteAsXml(boolean)", true));
        answers.add(exec("org.apache.camel:type=context,*", "requestStringBody(java.lang.String,java.lang.String)",
                "language:simple:" + property, ""));
        answers.add(exec("java.lang:type=Memory", "gc()"));
        answers.add(exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties()"));
        for (JsonNode answer : answers) {
            assertThat(answer.path("status").asInt()).as(answer.toString()).isEqualTo(403);
        }
        assertThat(answers.toString()).doesNotContain(SYSTEM_SECRET).doesNotContain(System.getenv("PATH"));

        // nor does any attribute of any MBean carry a secret
        JsonNode everything = post(Map.of("type", "read", "mbean", "*:*", "config", Map.of("ignoreErrors", true)));
        assertThat(everything.path("status").asInt()).isEqualTo(200);
        assertThat(everything.toString()).doesNotContain(SYSTEM_SECRET).doesNotContain(RELAY_SECRET)
                .doesNotContain(servers.serverA.secretKey());
    }

    @Test
    void writesNoAttribute() throws Exception {
        assertThat(post(Map.of("type", "write", "mbean", "java.lang:type=Threading",
                "attribute", "ThreadContentionMonitoringEnabled", "value", true)).path("status").asInt()).isEqualTo(403);
        assertThat(post(Map.of("type", "write", "mbean", CONTEXT, "attribute", "Tracing", "value", true))
                .path("status").asInt()).isEqualTo(403);
        assertThat(read(CONTEXT, "Tracing").path("value").asBoolean()).isFalse();
    }

    private static JsonNode exec(String mbean, String operation, Object... arguments) throws Exception {
        return jolokia.exec(mbean, operation, arguments);
    }

    private static JsonNode read(String mbean, String attribute) throws Exception {
        return jolokia.read(mbean, attribute);
    }

    private static JsonNode post(Map<String, Object> request) throws Exception {
        return jolokia.post(request);
    }

    /**
     * Refused before anything ran: an error status and no value. camel-platform-http-jolokia answers a refused
     * Origin with HTTP 500 (it reports Jolokia's SecurityException through reflection), other refusals with 403.
     */
    static void assertRefused(HttpResponse<String> answer) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isIn(403, 500);
        JsonNode body = JolokiaClient.JSON.readTree(answer.body());
        assertThat(body.path("status").asInt()).as(answer.body()).isIn(403, 500);
        assertThat(body.has("value")).as(answer.body()).isFalse();
    }

    private String routeState(String routeId) {
        return context.getRouteController().getRouteStatus(routeId).name();
    }
}
