package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RecordingBlobStore;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

/**
 * How the relay's consumers are shared among integrations, with its default concurrency (8 submission consumers,
 * 8 upload job consumers): all of them for one integration alone, equal shares for several, at most half of the
 * job consumers for a stalling bucket, none for a job waiting for its retry; and one error policy for every
 * failure. The buckets are real S3 servers whose PutObject can be made slow per bucket, and which count the calls
 * in progress at once.
 */
class FairSchedulingTest extends RelayRouteTestSupport {

    private static final String TEMPLATE = "path_template: \"{{ submission_id }}.pdf\"";

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "s3relay.integration.slow-upload-millis", "1000",
                "s3relay.upload.inline-max-bytes", "20000",
                "s3relay.retry.initial-delay", "4000",
                "s3relay.retry.max-delay", "4000",
                // the failing bucket's jobs are retried, not held back by its circuit
                "s3relay.integration.circuit.failures", "1000",
                // a job of a failing bucket is dead-lettered at its second attempt: no retry outlives its test
                "s3relay.retry.max-attempts", "2");
    }

    /** Every message sent to the upload jobs queue also reaches mock:jms:queue:s3relay.uploads. */
    @Override
    public String isMockEndpoints() {
        return "jms:queue:s3relay.uploads*";
    }

    private RecordingBlobStore objects() {
        return servers.serverA.objects();
    }

    @Test
    void runsALoneIntegrationsBacklogOnEveryConsumer() {
        context.start();
        MockEndpoint jobs = getMockEndpoint("mock:jms:queue:s3relay.uploads");
        Tenant alone = tenant(servers.serverA, TEMPLATE);
        objects().delayPutsTo(alone.bucket(), Duration.ofMillis(300));
        String pdf = servers.pdf(randomPdf(2_000));
        List<String> ids = sendBacklog(alone, pdf, 40);

        awaitProcessed(ids, alone);

        // the fixed bulkhead of 4 uploads per integration this replaces left half the consumers idle
        assertThat(objects().mostPutsAtOnce(alone.bucket())).as("uploads at once for one integration alone")
                .isGreaterThanOrEqualTo(8);
        assertThat(jobs.getReceivedExchanges()).as("jobs that found no place and went back to the broker")
                .noneMatch(job -> job.getMessage().getHeader("s3relay_deferrals") != null);
        assertThat(jobs.getReceivedCounter()).as("at most one job per copy").isLessThanOrEqualTo(ids.size());
    }

    @Test
    void uploadsMostOfAnAccountsCopiesWithinTheirSubmissionsWhateverItsNumberOfIntegrations() {
        context.start();
        MockEndpoint jobs = getMockEndpoint("mock:jms:queue:s3relay.uploads");
        String account = newId("acc");
        List<String> buckets = new ArrayList<>();
        List<String> integrations = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            buckets.add(servers.newBucket(servers.serverA));
            integrations.add(integration("int_" + i + "_" + account, account, servers.serverA, buckets.get(i), TEMPLATE));
            objects().delayPutsTo(buckets.get(i), Duration.ofMillis(150));
        }
        addIntegrations(integrations.toArray(String[]::new));
        List<String> ids = sendBacklog(account, servers.pdf(randomPdf(2_000)), 32);

        for (int i = 0; i < 3; i++) {
            awaitProcessed(ids, "int_" + i + "_" + account);
        }

        System.out.printf("one account, 3 integrations: %d of 96 copies went on as jobs%n", jobs.getReceivedCounter());
        // each of the 8 submission consumers uploads its submission's 3 copies one after the other; 7 of them may
        // upload at once (one is kept for another account), so about one copy in 8 goes on as a job. Shared by
        // integration (3 of 8 each), most copies went on as jobs.
        assertThat(jobs.getReceivedCounter()).as("copies of 96 sent on as jobs").isLessThanOrEqualTo(96 / 4);
    }

    @Test
    void sharesTheConsumersEquallyBetweenTwoIntegrationsWithBacklogs() throws Exception {
        context.start();
        Tenant x = tenant(servers.serverA, TEMPLATE);
        Tenant y = tenant(servers.serverA, TEMPLATE);
        objects().delayPutsTo(x.bucket(), Duration.ofMillis(300));
        objects().delayPutsTo(y.bucket(), Duration.ofMillis(300));
        Backlogs sent = sendInterleaved(x, y, servers.pdf(randomPdf(2_000)), 40);

        // uploads in progress at once, sampled while both integrations have some
        long sumX = 0;
        long sumY = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && !(processed(sent.first(), x) && processed(sent.second(), y))) {
            int nowX = objects().putsInFlight(x.bucket());
            int nowY = objects().putsInFlight(y.bucket());
            if (nowX > 0 && nowY > 0) {
                sumX += nowX;
                sumY += nowY;
            }
            Thread.sleep(20);
        }
        awaitProcessed(sent.first(), x);
        awaitProcessed(sent.second(), y);

        double shareX = (double) sumX / (sumX + sumY);
        System.out.printf("fair share: integration X held %.2f of the uploads in flight, Y %.2f%n", shareX, 1 - shareX);
        assertThat(shareX).as("X's part of the consumers both used (an equal share is 0.5)").isBetween(0.4, 0.6);
    }

    @Test
    void holdsAStallingBucketToHalfTheJobConsumersWhileAHealthyTenantFlows() throws Exception {
        context.start();
        Tenant stalling = tenant(servers.serverA, TEMPLATE);
        Tenant healthy = tenant(servers.serverA, TEMPLATE);
        objects().delayPutsTo(stalling.bucket(), Duration.ofSeconds(3));
        String pdf = servers.pdf(randomPdf(2_000));
        long sent = System.nanoTime();
        Backlogs backlogs = sendInterleaved(stalling, healthy, pdf, 24);
        List<String> stalled = backlogs.first();
        List<String> flowing = backlogs.second();

        awaitProcessed(flowing, healthy);
        double healthySeconds = (System.nanoTime() - sent) / 1e9;
        // the uploads that began before the bucket was known to be slow (after 1 s) are over after 4 s or so; from
        // then on the stalling integration holds at most half the 8 job consumers
        Thread.sleep(Math.max(0, Duration.ofMillis(4_500).toNanos() - (System.nanoTime() - sent)) / 1_000_000);
        int most = 0;
        while (!processed(stalled, stalling) && System.nanoTime() - sent < Duration.ofSeconds(90).toNanos()) {
            most = Math.max(most, objects().putsInFlight(stalling.bucket()));
            Thread.sleep(10);
        }
        awaitProcessed(stalled, stalling);

        System.out.printf("stalling bucket: the healthy tenant's 24 uploads took %.1f s; the stalling one held at most %d"
                + " uploads once known to be slow%n", healthySeconds, most);
        assertThat(healthySeconds).as("the healthy tenant's 24 uploads, beside 24 of 3 s each").isLessThan(8.0);
        assertThat(most).as("the stalling bucket's uploads at once, once known to be slow").isBetween(1, 4);
    }

    @Test
    void aJobWaitingForItsRetryHoldsNoConsumer() {
        context.start();
        // nothing listens there: every upload fails at once, a transient failure retried after 4 s
        Tenant failing = tenant(servers.serverA, "http://127.0.0.1:" + RelayFixture.freePort(), TEMPLATE);
        Tenant healthy = tenant(servers.serverA, TEMPLATE);
        String pdf = servers.pdf(randomPdf(2_000));
        List<String> failed = sendBacklog(failing, pdf, 24);
        await().atMost(Duration.ofSeconds(20)).until(() -> failed.stream().allMatch(id ->
                servers.statusesOf(id).stream().anyMatch(s -> "pending".equals(s.path("state").asText()))));
        long consumedBefore = servers.queueStatistics("s3relay.uploads").getDequeues().getCount();

        long sent = System.nanoTime();
        List<String> flowing = sendBacklog(healthy, pdf, 24);
        awaitProcessed(flowing, healthy);
        double seconds = (System.nanoTime() - sent) / 1e9;

        // 24 jobs wait for their retry, three times as many as there are consumers of each queue
        assertThat(seconds).as("24 uploads of a healthy tenant while 24 jobs wait 4 s for their retry").isLessThan(3.5);
        long consumedMeanwhile = servers.queueStatistics("s3relay.uploads").getDequeues().getCount() - consumedBefore;
        assertThat(consumedMeanwhile).as("jobs consumed while the retries wait on the broker").isLessThanOrEqualTo(24);
        failed.forEach(id -> servers.awaitStatus(id, failing.integration(), "failed"));
    }

    @Test
    void sendsEveryFailureThroughTheOnePolicyWithinASubmissionOrAsAJob() {
        context.start();
        Tenant tenant = tenant(servers.serverA, TEMPLATE);
        String missing = servers.dir.resolve("pdfs").toUri() + "missing-";
        // while its integration is quick, a copy is uploaded within its submission: its PDF is not there
        String withinSubmission = newId("sub");
        servers.send(submission(withinSubmission, tenant.account(), false, missing + withinSubmission + ".pdf"));
        JsonNode firstFailed = servers.awaitStatus(withinSubmission, tenant.integration(), "failed");
        // an upload slower than s3relay.integration.slow-upload-millis (1 s here) makes its next copies go as jobs
        objects().delayPutsTo(tenant.bucket(), Duration.ofMillis(1_300));
        String slow = newId("sub");
        servers.send(submission(slow, tenant.account(), false, servers.pdf(randomPdf(1_000))));
        servers.awaitStatus(slow, tenant.integration(), "processed");
        String asAJob = newId("sub");
        servers.send(submission(asAJob, tenant.account(), false, missing + asAJob + ".pdf"));
        JsonNode secondFailed = servers.awaitStatus(asAJob, tenant.integration(), "failed");

        DeadLetter first = servers.awaitDeadLetter(d -> d.body().contains(withinSubmission));
        DeadLetter second = servers.awaitDeadLetter(d -> d.body().contains(asAJob));
        assertThat(first.headers()).containsEntry("s3relay_route", "submissions");
        assertThat(second.headers()).containsEntry("s3relay_route", "uploads");
        // but the queue a job came from: a job made within its submission never was on a queue (replayed, it goes
        // to the jobs queue either way)
        assertThat(second.headers()).containsEntry("s3relay_source_queue", "s3relay.uploads");
        Set<String> jobHeaders = relayHeaders(second);
        jobHeaders.remove("s3relay_source_queue");
        assertThat(jobHeaders).as("the same dead-letter headers either way: " + second.headers()).isEqualTo(relayHeaders(first));
        for (String header : List.of("s3relay_error_class", "s3relay_error_type", "s3relay_attempts",
                "s3relay_integration_id")) {
            assertThat(second.headers().get(header)).as(header).isEqualTo(first.headers().get(header));
        }
        assertThat(fieldsOf(secondFailed)).as("the same failed status either way").isEqualTo(fieldsOf(firstFailed));
        assertThat(secondFailed.path("error").asText().replace(asAJob, withinSubmission))
                .isEqualTo(firstFailed.path("error").asText());
    }

    private List<String> sendBacklog(Tenant tenant, String pdf, int submissions) {
        return sendBacklog(tenant.account(), pdf, submissions);
    }

    private List<String> sendBacklog(String account, String pdf, int submissions) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < submissions; i++) {
            ids.add(newId("sub"));
            servers.send(submission(ids.get(i), account, false, pdf));
        }
        return ids;
    }

    /** The submission ids of two tenants' backlogs. */
    private record Backlogs(List<String> first, List<String> second) {
    }

    /** A backlog of each tenant, sent one submission of the first, one of the second, and so on. */
    private Backlogs sendInterleaved(Tenant first, Tenant second, String pdf, int submissionsEach) {
        Backlogs sent = new Backlogs(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < submissionsEach; i++) {
            sent.first().add(newId("sub"));
            servers.send(submission(sent.first().get(i), first.account(), false, pdf));
            sent.second().add(newId("sub"));
            servers.send(submission(sent.second().get(i), second.account(), false, pdf));
        }
        return sent;
    }

    private boolean processed(List<String> ids, Tenant tenant) {
        return processed(ids, tenant.integration());
    }

    private boolean processed(List<String> ids, String integrationId) {
        return ids.stream().allMatch(id -> servers.statusesOf(id).stream()
                .anyMatch(s -> integrationId.equals(s.path("integration_id").asText())
                        && "processed".equals(s.path("state").asText())));
    }

    private void awaitProcessed(List<String> ids, Tenant tenant) {
        awaitProcessed(ids, tenant.integration());
    }

    private void awaitProcessed(List<String> ids, String integrationId) {
        BooleanSupplier done = () -> processed(ids, integrationId);
        await().atMost(Duration.ofSeconds(90)).until(done::getAsBoolean);
    }

    private static Set<String> relayHeaders(DeadLetter letter) {
        Set<String> names = new TreeSet<>();
        letter.headers().keySet().stream().filter(name -> name.startsWith("s3relay_")).forEach(names::add);
        return names;
    }

    private static Set<String> fieldsOf(JsonNode status) {
        Set<String> names = new TreeSet<>();
        status.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
