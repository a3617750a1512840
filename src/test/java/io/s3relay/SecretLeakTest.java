package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.S3Server;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Customer secrets never leave the integration model and the S3 client: a run with successes and failures of
 * every kind is captured (logs with stack traces, statuses, dead letters, every Camel MBean attribute, endpoint
 * URIs included) and searched for the secrets. The relay runs with JMX on, as Camel Main runs it; the secrets of an
 * integration's role are searched for in {@link RoleSecretLeakTest}.
 */
class SecretLeakTest extends RelayRouteTestSupport {

    /** The logs from before the relay's context is made (its settings and start-up are searched too) to the end. */
    private static final StringWriter logs = new StringWriter();
    private static WriterAppender capture;

    @BeforeAll
    static void captureLogs() {
        capture = captureLogs("secret-capture", logs);
    }

    @AfterAll
    static void stopCapturingLogs() {
        stopCapturing(capture);
    }

    /** The MBeans are searched too: the kit leaves JMX off unless asked. */
    @Override
    protected boolean useJmx() {
        return true;
    }

    @Test
    void noSecretAppearsInLogsStatusesDeadLettersOrJmx() throws Exception {
        context.start();
        String account = newId("acc");
        String wrongSecret = "wrong-secret-" + newId("s");
        String bucketA = servers.newBucket(servers.serverA);
        String bucketB = servers.newBucket(servers.serverB);
        int closedPort = RelayFixture.freePort();
        addIntegrations(
                integration("int_ok", account, servers.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_wrong_secret", account,
                        new S3Server("b", servers.serverB.store(), servers.serverB.objects(), servers.serverB.accessKey(), wrongSecret),
                        bucketB, "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_unreachable", account, servers.serverA, "http://127.0.0.1:" + closedPort, bucketA,
                        "path_template: \"{{ submission_id }}.pdf\""),
                integration("int_bad_key", account, servers.serverA, bucketA, "path_template: \"../{{ submission_id }}.pdf\""));
        String id = newId("sub");
        String missing = newId("sub");

        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));
        servers.send(submission(missing, account, false, "file:///nowhere/" + missing + ".pdf"));
        servers.send("{\"submission\": {\"id\": \"" + newId("sub") + "\"}}");

        servers.awaitStatus(id, "int_ok", "processed");
        servers.awaitStatus(id, "int_wrong_secret", "failed");
        servers.awaitStatus(id, "int_unreachable", "failed");
        servers.awaitStatus(id, "int_bad_key", "failed");
        servers.awaitStatus(missing, "int_ok", "failed");

        List<String> secrets = List.of(servers.serverA.secretKey(), servers.serverB.secretKey(), wrongSecret);
        String statuses = servers.allStatuses().toString();
        String deadLetters = servers.deadLetters().toString();
        String jmx = camelMBeanAttributes();
        assertThat(servers.deadLetters()).hasSizeGreaterThanOrEqualTo(4);
        assertThat(jmx).contains("put-object").contains("aws2-s3");
        assertThat(logs.toString()).contains("SignatureDoesNotMatch").contains("state=failed").contains("state=processed");
        for (String secret : secrets) {
            assertThat(logs.toString()).as("logs").doesNotContain(secret);
            assertThat(statuses).as("statuses").doesNotContain(secret);
            assertThat(deadLetters).as("dead letters").doesNotContain(secret);
            assertThat(jmx).as("JMX").doesNotContain(secret);
        }
        System.out.printf("secret search: %d secrets, %d log chars, %d status chars, %d dead-letter chars, %d JMX chars: 0 found%n",
                secrets.size(), logs.toString().length(), statuses.length(), deadLetters.length(), jmx.length());
    }

    /** Every log line of every logger from now on, with its stack trace, into the writer. */
    static WriterAppender captureLogs(String name, StringWriter into) {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        WriterAppender capture = WriterAppender.newBuilder().setName(name).setTarget(into)
                .setLayout(PatternLayout.newBuilder().withPattern("%d %p %c - %m%n%xEx").build()).build();
        capture.start();
        logging.getConfiguration().addAppender(capture);
        logging.getRootLogger().addAppender(capture);
        return capture;
    }

    static void stopCapturing(WriterAppender capture) {
        if (capture != null) {
            ((LoggerContext) LogManager.getContext(false)).getRootLogger().removeAppender(capture);
            capture.stop();
        }
    }

    /** Every readable attribute of every Camel MBean (routes, endpoints, processors, the context...), as text. */
    static String camelMBeanAttributes() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<String> values = new ArrayList<>();
        for (ObjectName name : server.queryNames(new ObjectName("org.apache.camel:*"), null)) {
            values.add(name.toString());
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                if (!attribute.isReadable()) {
                    continue;
                }
                try {
                    values.add(attribute.getName() + "=" + server.getAttribute(name, attribute.getName()));
                } catch (Exception | LinkageError ignored) {
                    // some attributes cannot be read outside their context; they are not where a secret would hide
                }
            }
        }
        return String.join("\n", values);
    }
}
