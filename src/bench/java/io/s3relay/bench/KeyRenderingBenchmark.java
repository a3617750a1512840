package io.s3relay.bench;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.keys.PathTemplate;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.keys.PathVariables;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Rendering one object key from a template parsed once, on one thread, as the upload route does it: the
 * sanitised variables of the submission, the Liquid render with its guards, and the key checks.
 * Target: at least 200,000 keys per second on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KeyRenderingBenchmark {

    private final PathTemplateRenderer renderer = new PathTemplateRenderer();
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private PathTemplate seedTemplate;
    private PathTemplate richTemplate;
    private Submission submission;
    private Map<String, Object> variables;

    @Setup
    public void parseOnce() {
        seedTemplate = renderer.parse("{{ template_id }}/{{ submission_id }}.pdf");
        richTemplate = renderer.parse("{{ account_id }}/{{ year }}/{{ month | prepend: '0' | slice: -2, 2 }}/"
                + "{% if metadata.vip %}vip/{% endif %}{{ metadata.customer.name | downcase | default: 'none' }}/"
                + "{{ submission_id }}.pdf");
        submission = new SubmissionParser(new ObjectMapper()).parse("""
                {"submission": {"id": "sub_Gbxesk7Xf52Pq3KgT9", "account_id": "acc_X3gQR5GN6tS6tcYgJs",
                  "template_id": "tpl_eGc5CmFbPnCCmerqsx", "template_name": "Invoice 2018", "test": false,
                  "processed_at": "2018-05-09T09:45:31Z", "download_url": "file:///x.pdf",
                  "metadata": {"user_id": 42, "vip": true, "customer": {"name": "Jane Doe & Co"}}}}""");
        variables = PathVariables.of(submission, now);
    }

    /** The whole step of the upload route: the job's variables, then the key. */
    @Benchmark
    public String seedTemplate() {
        return renderer.render(seedTemplate, submission, now);
    }

    /** The key alone, from variables built beforehand. */
    @Benchmark
    public String seedTemplateFromPreparedVariables() {
        return renderer.render(seedTemplate, variables);
    }

    @Benchmark
    public String templateWithFiltersAndConditions() {
        return renderer.render(richTemplate, submission, now);
    }
}
