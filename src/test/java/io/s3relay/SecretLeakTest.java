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
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;

/**
 * Customer secrets never leave the integration model and the S3 client: a run with successes and failures of
 * every kind is captured (logs with stack traces, statuses, dead letters, every Camel MBean attribute, endpoint
 * URIs included) and searched for the secrets.
 */
class SecretLeakTest {

    @Test
    void noSecretAppearsInLogsStatusesDeadLettersOrJmx() throws Exception {
        StringWriter logs = new StringWriter();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        WriterAppender capture = WriterAppender.newBuilder().setName("secret-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%d %p %c - %m%n%xEx").build()).build();
        capture.start();
        context.getConfiguration().addAppender(capture);
        context.getRootLogger().addAppender(capture);
        try (RelayFixture relay = RelayFixture.start()) {
            String account = newId("acc");
            String wrongSecret = "wrong-secret-" + newId("s");
            String bucketA = relay.newBucket(relay.serverA);
            String bucketB = relay.newBucket(relay.serverB);
            int closedPort = RelayFixture.freePort();
            relay.addIntegrations(
                    integration("int_ok", account, relay.serverA, bucketA, "path_template: \"{{ submission_id }}.pdf\""),
                    integration("int_wrong_secret", account,
                            new S3Server("b", relay.serverB.store(), relay.serverB.objects(), relay.serverB.accessKey(), wrongSecret),
                            bucketB, "path_template: \"{{ submission_id }}.pdf\""),
                    integration("int_unreachable", account, relay.serverA, "http://127.0.0.1:" + closedPort, bucketA,
                            "path_template: \"{{ submission_id }}.pdf\""),
                    integration("int_bad_key", account, relay.serverA, bucketA, "path_template: \"../{{ submission_id }}.pdf\""));
            String id = newId("sub");
            String missing = newId("sub");

            relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));
            relay.send(submission(missing, account, false, "file:///nowhere/" + missing + ".pdf"));
            relay.send("{\"submission\": {\"id\": \"" + newId("sub") + "\"}}");

            relay.awaitStatus(id, "int_ok", "processed");
            relay.awaitStatus(id, "int_wrong_secret", "failed");
            relay.awaitStatus(id, "int_unreachable", "failed");
            relay.awaitStatus(id, "int_bad_key", "failed");
            relay.awaitStatus(missing, "int_ok", "failed");

            List<String> secrets = List.of(relay.serverA.secretKey(), relay.serverB.secretKey(), wrongSecret);
            String statuses = relay.allStatuses().toString();
            String deadLetters = relay.deadLetters().toString();
            String jmx = camelMBeanAttributes();
            assertThat(relay.deadLetters()).hasSizeGreaterThanOrEqualTo(4);
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
        } finally {
            context.getRootLogger().removeAppender(capture);
            capture.stop();
        }
    }

    /**
     * The same search for an integration's role: the relay's own secret key, the external IDs (right and wrong) and
     * the session tokens STS gave (read from moto's request log, where the relay sent them to S3).
     */
    @Test
    void noSessionTokenExternalIdOrRelaySecretAppears() throws Exception {
        StringWriter logs = new StringWriter();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        WriterAppender capture = WriterAppender.newBuilder().setName("role-secret-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%d %p %c - %m%n%xEx").build()).build();
        capture.start();
        context.getConfiguration().addAppender(capture);
        context.getRootLogger().addAppender(capture);
        try (io.s3relay.support.MotoServer moto = io.s3relay.support.MotoServer.startOrSkip()) {
            var platform = moto.user("s3relay-platform", io.s3relay.support.MotoServer.allow("\"sts:AssumeRole\"", "\"*\""));
            String bucket = "leak-" + newId("b").toLowerCase().replace('_', '-');
            try (var s3 = moto.s3()) {
                s3.createBucket(r -> r.bucket(bucket));
            }
            String externalId = "ext-" + newId("secret");
            String wrongId = "ext-" + newId("wrong");
            String role = moto.role("upload-leak", "arn:aws:iam::123456789012:user/s3relay-platform", externalId,
                    io.s3relay.support.MotoServer.allow("\"s3:PutObject\"", "\"arn:aws:s3:::" + bucket + "/*\""));
            try (RelayFixture relay = RelayFixture.start(java.util.Map.of("s3relay.aws.access-key-id", platform.accessKeyId(),
                    "s3relay.aws.secret-access-key", platform.secretAccessKey(),
                    "s3relay.aws.sts-endpoint", moto.endpoint().toString()))) {
                String account = newId("acc");
                String template = "path_template: \"{{ submission_id }}.pdf\"";
                relay.addIntegrations(moto.roleIntegration("int_role_ok", account, bucket, role, externalId, template),
                        moto.roleIntegration("int_role_wrong", account, bucket, role, wrongId, template));
                String id = newId("sub");
                relay.send(submission(id, account, false, relay.pdf(randomPdf(100))));
                relay.awaitStatus(id, "int_role_ok", "processed");
                relay.awaitStatus(id, "int_role_wrong", "failed");

                List<String> secrets = new ArrayList<>(List.of(platform.secretAccessKey(), externalId, wrongId));
                moto.requests().stream().map(r -> r.header("x-amz-security-token")).filter(t -> t != null).distinct()
                        .forEach(secrets::add);
                assertThat(secrets).hasSizeGreaterThan(3);
                String statuses = relay.allStatuses().toString();
                String deadLetters = relay.deadLetters().toString();
                String jmx = camelMBeanAttributes();
                assertThat(deadLetters).contains("the role does not trust this platform");
                for (String secret : secrets) {
                    assertThat(logs.toString()).as("logs").doesNotContain(secret);
                    assertThat(statuses).as("statuses").doesNotContain(secret);
                    assertThat(deadLetters).as("dead letters").doesNotContain(secret);
                    assertThat(jmx).as("JMX").doesNotContain(secret);
                }
            }
        } finally {
            context.getRootLogger().removeAppender(capture);
            capture.stop();
        }
    }

    /** Every readable attribute of every Camel MBean (routes, endpoints, processors, the context...), as text. */
    private static String camelMBeanAttributes() throws Exception {
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
