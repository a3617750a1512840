package io.s3relay;

import static io.s3relay.SecretLeakTest.camelMBeanAttributes;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.s3relay.support.MotoServer;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SecretLeakTest}'s search for an integration's role: the relay's own secret key, the external IDs (right and
 * wrong) and the session tokens STS gave (read from moto's request log, where the relay sent them to S3). The relay's
 * settings carry its platform user, made in moto before the relay's context, and its logs are captured from then on.
 */
class RoleSecretLeakTest extends RelayRouteTestSupport {

    private static final StringWriter logs = new StringWriter();
    private static WriterAppender capture;
    private static MotoServer moto;
    private static MotoServer.Platform platform;

    @BeforeAll
    static void startMotoAndCaptureLogs() throws Exception {
        capture = SecretLeakTest.captureLogs("role-secret-capture", logs);
        moto = MotoServer.startOrSkip();
        platform = moto.platformUser();
    }

    @AfterAll
    static void stopMotoAndCapture() throws Exception {
        SecretLeakTest.stopCapturing(capture);
        if (moto != null) {
            moto.close();
        }
    }

    @Override
    protected Map<String, String> settings() {
        return platform.relaySettings();
    }

    /** The MBeans are searched too: the kit leaves JMX off unless asked. */
    @Override
    protected boolean useJmx() {
        return true;
    }

    @Test
    void noSessionTokenExternalIdOrRelaySecretAppears() throws Exception {
        context.start();
        String bucket = "leak-" + newId("b").toLowerCase().replace('_', '-');
        try (var s3 = moto.s3()) {
            s3.createBucket(r -> r.bucket(bucket));
        }
        String externalId = "ext-" + newId("secret");
        String wrongId = "ext-" + newId("wrong");
        String role = moto.role("upload-leak", platform.arn(), externalId,
                MotoServer.allow("\"s3:PutObject\"", "\"arn:aws:s3:::" + bucket + "/*\""));
        String account = newId("acc");
        String template = "path_template: \"{{ submission_id }}.pdf\"";
        addIntegrations(moto.roleIntegration("int_role_ok", account, bucket, role, externalId, template),
                moto.roleIntegration("int_role_wrong", account, bucket, role, wrongId, template));
        String id = newId("sub");
        servers.send(submission(id, account, false, servers.pdf(randomPdf(100))));
        servers.awaitStatus(id, "int_role_ok", "processed");
        servers.awaitStatus(id, "int_role_wrong", "failed");

        List<String> secrets = new ArrayList<>(List.of(platform.credentials().secretAccessKey(), externalId, wrongId));
        moto.requests().stream().map(r -> r.header("x-amz-security-token")).filter(t -> t != null).distinct()
                .forEach(secrets::add);
        assertThat(secrets).hasSizeGreaterThan(3);
        String statuses = servers.allStatuses().toString();
        String deadLetters = servers.deadLetters().toString();
        String jmx = camelMBeanAttributes();
        assertThat(deadLetters).contains("the role does not trust this platform");
        for (String secret : secrets) {
            assertThat(logs.toString()).as("logs").doesNotContain(secret);
            assertThat(statuses).as("statuses").doesNotContain(secret);
            assertThat(deadLetters).as("dead letters").doesNotContain(secret);
            assertThat(jmx).as("JMX").doesNotContain(secret);
        }
    }
}
