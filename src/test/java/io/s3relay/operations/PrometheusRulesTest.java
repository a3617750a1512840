package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/**
 * The alert rules (deploy/prometheus/alerts.yml) pass Prometheus's own rule unit tests (alerts.test.yml), and each
 * rule is tested both firing and staying quiet. Needs promtool (Debian's prometheus package).
 */
class PrometheusRulesTest {

    @Test
    void everyAlertRulePassesItsPromtoolUnitTests() throws Exception {
        Path promtool = PrometheusTools.require("promtool");
        assertThat(run(promtool.toString(), "check", "rules", PrometheusTools.ALERTS.getFileName().toString()))
                .contains("SUCCESS: 5 rules found");
        assertThat(run(promtool.toString(), "test", "rules", PrometheusTools.ALERT_TESTS.getFileName().toString()))
                .contains("SUCCESS");
    }

    @Test
    void everyAlertRuleIsTestedFiringAndQuiet() throws Exception {
        Set<String> fires = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : new ObjectMapper(new YAMLFactory()).readTree(PrometheusTools.ALERT_TESTS.toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? quiet : fires).add(check.path("alertname").asText());
            }
        }
        assertThat(PrometheusTools.alertQueries()).extracting(PrometheusTools.Query::name)
                .containsExactlyInAnyOrder("S3RelayDown", "S3RelayIntegrationFailing", "S3RelayDeadLettersGrowing",
                        "S3RelaySubmissionsBacklogGrowing", "S3RelayUploadLatencyHigh")
                .allSatisfy(alert -> {
                    assertThat(fires).as(alert + " tested firing").contains(alert);
                    assertThat(quiet).as(alert + " tested quiet").contains(alert);
                });
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(PrometheusTools.ALERTS.getParent().toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
        return output;
    }
}
