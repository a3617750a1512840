package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** Debian's Prometheus tools (package prometheus), and the queries of deploy/prometheus and deploy/grafana. */
final class PrometheusTools {

    static final Path ALERTS = Path.of("deploy", "prometheus", "alerts.yml");
    static final Path ALERT_TESTS = Path.of("deploy", "prometheus", "alerts.test.yml");
    static final Path DASHBOARD = Path.of("deploy", "grafana", "dashboards", "s3-relay.json");
    private static final Pattern RELAY_METRIC = Pattern.compile("\\bs3relay_[a-z0-9_]+");

    private PrometheusTools() {
    }

    /** The program on the PATH, or null. */
    static Path find(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Skips a test whose program is missing, saying why; where {@code S3RELAY_PROMETHEUS_TESTS=required} (CI) the
     * test fails instead, so that it cannot pass by not running.
     */
    static Path require(String program) {
        Path path = find(program);
        String why = program + " is not installed (Debian: apt-get install prometheus); set "
                + "S3RELAY_PROMETHEUS_TESTS=required to fail instead of skipping";
        if ("required".equals(System.getenv("S3RELAY_PROMETHEUS_TESTS"))) {
            assertThat(path).as(why).isNotNull();
        }
        assumeTrue(path != null, why);
        return path;
    }

    /** Every query of the dashboard's panels, by panel title. */
    static List<Query> panelQueries() throws Exception {
        List<Query> queries = new java.util.ArrayList<>();
        for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query(panel.path("title").asText() + " / " + target.path("refId").asText(),
                        target.path("expr").asText()));
            }
        }
        return queries;
    }

    /** Every alert rule's expression, by alert name. */
    static List<Query> alertQueries() throws Exception {
        List<Query> queries = new java.util.ArrayList<>();
        for (JsonNode group : new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queries.add(new Query(rule.path("alert").asText(), rule.path("expr").asText()));
            }
        }
        return queries;
    }

    /** The relay's metric names an expression reads (a histogram's _bucket series as it is exported). */
    static Set<String> relayMetrics(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = RELAY_METRIC.matcher(expr);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    record Query(String name, String expr) {
    }
}
