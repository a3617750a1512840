package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

/**
 * An edit to the integrations file is in force without anyone asking: the route integrations-reload re-reads the
 * file at its interval (200 ms here), and the next submission of the account is uploaded by the new integration.
 */
class IntegrationsFileReloadTest extends RelayRouteTestSupport {

    @Test
    void putsAnEditedFileInForceAtTheNextCheck() throws Exception {
        context.start();
        String account = newId("acc");
        String integrationId = "int_" + account;
        String bucket = servers.newBucket(servers.serverA);
        NotifyBuilder checked = new NotifyBuilder(context).fromRoute("integrations-reload").whenDone(2).create();

        // written to the file only: the relay is not told
        servers.addIntegrations(integration(integrationId, account, servers.serverA, bucket,
                "path_template: \"edited/{{ submission_id }}.pdf\""));

        assertThat(checked.matches(10, TimeUnit.SECONDS)).as("two checks of the file").isTrue();
        assertThat(integrations().get(integrationId)).isNotNull();
        String id = newId("sub");
        servers.send(submission(id, account, false, servers.pdf(randomPdf(200))));
        servers.awaitStatus(id, integrationId, "processed");
        assertThat(servers.serverA.objects().read(bucket, "edited/" + id + ".pdf")).isNotNull();
    }
}
