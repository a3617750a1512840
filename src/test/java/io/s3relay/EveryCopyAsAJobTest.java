package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/** With s3relay.upload.inline-max-bytes=0 no copy is uploaded within its submission: each goes as an upload job. */
class EveryCopyAsAJobTest extends RelayRouteTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("s3relay.upload.inline-max-bytes", "0");
    }

    @Override
    public String isMockEndpoints() {
        return "jms:queue:s3relay.uploads*";
    }

    @Test
    void sendsEveryCopyAsAJobWhenTheLimitIsZero() throws Exception {
        context.start();
        MockEndpoint jobs = getMockEndpoint("mock:jms:queue:s3relay.uploads");
        String account = newId("acc");
        String bucket = servers.newBucket(servers.serverA);
        addIntegrations(
                integration("int_1_" + account, account, servers.serverA, bucket, "path_template: \"1/{{ submission_id }}.pdf\""),
                integration("int_2_" + account, account, servers.serverA, bucket, "path_template: \"2/{{ submission_id }}.pdf\""));
        String id = newId("sub");
        NotifyBuilder uploaded = new NotifyBuilder(context).fromRoute("uploads").whenDone(2).create();

        servers.send(submission(id, account, false, servers.pdf(randomPdf(1_000))));

        assertThat(uploaded.matches(30, TimeUnit.SECONDS)).isTrue();
        servers.awaitStatus(id, "int_1_" + account, "processed");
        servers.awaitStatus(id, "int_2_" + account, "processed");
        assertThat(jobs.getReceivedCounter()).as("jobs sent").isEqualTo(2);
    }
}
