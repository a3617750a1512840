package io.s3relay;

import static io.s3relay.support.RelayFixture.integration;
import static io.s3relay.support.RelayFixture.newId;
import static io.s3relay.support.RelayFixture.randomPdf;
import static io.s3relay.support.RelayFixture.submission;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3relay.support.RelayFixture.DeadLetter;
import io.s3relay.support.RelayRouteTestSupport;
import org.apache.camel.builder.NotifyBuilder;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input gets its clear reason on a dead letter (and a failed status where a submission can be
 * named), and the good message sent behind all of them is processed. On the test kit: the wait is for the
 * submissions route to be done with every message, and for as many to have gone to the dead-letter route.
 * (The file root is the fixture's PDF folder, which the servers' settings already name.)
 */
class BadInputTest extends RelayRouteTestSupport {

    @Override
    protected Map<String, String> settings() {
        return Map.of("s3relay.source.allowed-hosts", "127.0.0.1", "s3relay.source.max-bytes", "100000");
    }

    /** A bad message, the reason its dead letter must give, and whether a failed status can name it. */
    record Bad(String kind, String body, String reason, boolean named) {
    }

    @Test
    void deadLettersEveryKindOfBadInputWithItsReasonAndProcessesTheGoodMessageBehind() throws Exception {
        context.start();
        String account = newId("acc");
        String integrationId = newId("int");
        addIntegrations(integration(integrationId, account, servers.serverA, servers.newBucket(servers.serverA),
                "path_template: \"{{ submission_id }}.pdf\""));
        String good = servers.pdf(randomPdf(1000));
        List<Bad> bad = new ArrayList<>(List.of(
                new Bad("empty body", "", "message body is empty", false),
                new Bad("blank body", "   \n ", "message body is empty", false),
                new Bad("not JSON", "hello " + newId("x"), "not valid JSON", false),
                new Bad("truncated JSON", "{\"submission\": {\"id\": \"" + newId("t") + "\"", "not valid JSON", false),
                new Bad("JSON array", "[1, 2, \"" + newId("a") + "\"]", "not a JSON object", false),
                new Bad("JSON string", "\"" + newId("s") + "\"", "not a JSON object", false),
                new Bad("empty object", "{\"x\": \"" + newId("e") + "\"}", "neither 'submission' nor 'combined_submission'", false),
                new Bad("both kinds", "{\"submission\": {}, \"combined_submission\": {}, \"n\": \"" + newId("b") + "\"}",
                        "both 'submission' and 'combined_submission'", false),
                new Bad("submission not an object", "{\"submission\": \"" + newId("so") + "\"}", "'submission' is not a JSON object", false),
                new Bad("missing id", body(null, account, "\"download_url\": \"" + good + "\""), "submission.id is missing", false),
                new Bad("blank id", body("", account, "\"download_url\": \"" + good + "\", \"n\": \"" + newId("n") + "\""),
                        "submission.id is missing", false),
                new Bad("id not a string", "{\"submission\": {\"id\": 5, \"account_id\": \"" + newId("acc") + "\"}}",
                        "submission.id must be a string", false),
                new Bad("missing account_id", body(newId("sub"), null, "\"download_url\": \"" + good + "\""),
                        "submission.account_id is missing", true),
                new Bad("processed_at not a time", body(newId("sub"), account, "\"processed_at\": \"yesterday\", \"download_url\": \"" + good + "\""),
                        "processed_at is not an ISO-8601 time", true),
                new Bad("test not a boolean", body(newId("sub"), account, "\"test\": \"yes\", \"download_url\": \"" + good + "\""),
                        "submission.test must be true or false", true),
                new Bad("metadata not an object", body(newId("sub"), account, "\"metadata\": [1], \"download_url\": \"" + good + "\""),
                        "submission.metadata must be a JSON object", true),
                new Bad("template_name not a string", body(newId("sub"), account, "\"template_name\": 7, \"download_url\": \"" + good + "\""),
                        "submission.template_name must be a string", true),
                new Bad("missing download_url", body(newId("sub"), account, "\"test\": false"), "submission.download_url is missing", true),
                new Bad("combined without id", "{\"combined_submission\": {\"account_id\": \"" + account + "\", \"n\": \"" + newId("c") + "\"}}",
                        "combined_submission.id is missing", false),
                new Bad("unsupported scheme", submission(newId("sub"), account, false, "ftp://example.com/x.pdf"),
                        "scheme 'ftp' is not supported", true),
                new Bad("not a URL", submission(newId("sub"), account, false, "http://bad host/x.pdf"), "download_url is not a URL", true),
                new Bad("missing PDF", submission(newId("sub"), account, false, servers.dir.resolve("pdfs").toUri() + "missing.pdf"),
                        "does not exist", true),
                new Bad("file outside the file root", submission(newId("sub"), account, false, "file:///etc/hostname"),
                        "outside the allowed file root", true),
                new Bad("host not allowed", submission(newId("sub"), account, false, "http://localhost:1/x.pdf"),
                        "host localhost is not an allowed source host", true),
                new Bad("PDF larger than max-bytes", submission(newId("sub"), account, false, servers.pdf(randomPdf(200_000))),
                        "more than s3relay.source.max-bytes (100000)", true),
                new Bad("s3 URL without a source store", submission(newId("sub"), account, false, "s3://platform/x.pdf"),
                        "no source store is configured", true)));
        String goodId = newId("sub");
        NotifyBuilder allDone = new NotifyBuilder(context).fromRoute("submissions").whenDone(bad.size() + 1).create();
        // a bad copy is dead-lettered within its submission, or by the uploads route when it went as a job (once
        // one copy failed, the integration's next copies go as jobs until an upload succeeds)
        NotifyBuilder allDeadLettered = new NotifyBuilder(context).wereSentTo("direct:dead-letter")
                .whenDone(bad.size()).create();

        bad.forEach(b -> servers.send(b.body()));
        servers.send(submission(goodId, account, false, good));

        assertThat(allDone.matches(60, TimeUnit.SECONDS)).as("the submissions route done with every message").isTrue();
        assertThat(allDeadLettered.matches(30, TimeUnit.SECONDS)).as("every bad message dead-lettered").isTrue();
        servers.awaitStatus(goodId, integrationId, "processed");
        SoftAssertions softly = new SoftAssertions();
        int deadLettered = 0;
        int failedStatuses = 0;
        for (Bad b : bad) {
            DeadLetter letter = servers.awaitDeadLetter(d -> d.body().equals(b.body()) || jobFor(d, b.body()));
            deadLettered++;
            softly.assertThat((String) letter.headers().get("s3relay_error_message")).as(b.kind()).contains(b.reason());
            softly.assertThat(letter.headers().get("s3relay_error_class")).as(b.kind()).isEqualTo("permanent");
            if (b.named()) {
                java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\": \"(sub_[0-9a-f]+)\"").matcher(b.body());
                softly.assertThat(id.find()).as(b.kind() + " names its submission").isTrue();
                JsonNode failed = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(
                        () -> servers.statusesOf(id.group(1)).stream().filter(s -> s.path("state").asText().equals("failed"))
                                .findFirst().orElse(null), s -> s != null);
                softly.assertThat(failed.path("error").asText()).as(b.kind()).contains(b.reason());
                failedStatuses++;
            }
        }
        softly.assertAll();
        System.out.printf("bad input: %d kinds sent, %d dead-lettered with their reason, %d failed statuses, good message processed%n",
                bad.size(), deadLettered, failedStatuses);
        assertThat(bad).hasSizeGreaterThanOrEqualTo(20);
    }

    private static boolean jobFor(DeadLetter letter, String submissionBody) {
        int start = submissionBody.indexOf("sub_");
        return start >= 0 && letter.body().contains("\"integration_id\"")
                && letter.body().contains(submissionBody.substring(start, start + 22));
    }

    private static String body(String id, String accountId, String extra) {
        return "{\"submission\": {" + (id == null ? "" : "\"id\": \"" + id + "\", ")
                + (accountId == null ? "" : "\"account_id\": \"" + accountId + "\", ") + extra + "}}";
    }
}
