package io.s3relay.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The path template rules of the platform's documentation, case by case: every documented example word for word,
 * each variable, sanitising, metadata of every JSON type, Liquid filters and tags, normalisation and rejections.
 */
class PathTemplateRenderingTest {

    private static final PathTemplateRenderer RENDERER = new PathTemplateRenderer();
    private static final SubmissionParser PARSER = new SubmissionParser(new ObjectMapper());
    private static final Instant RELAY_CLOCK = Instant.parse("2026-01-02T03:04:05Z");

    /** The documentation's submission, with metadata of every JSON type. */
    private static final String SUBMISSION = """
            {"submission": {"id": "sub_Gbxesk7Xf52Pq3KgT9", "account_id": "acc_X3gQR5GN6tS6tcYgJs",
              "template_id": "tpl_eGc5CmFbPnCCmerqsx", "template_name": "Invoice 2018", "test": false,
              "processed_at": "2018-05-09T09:45:31Z", "download_url": "file:///x.pdf",
              "metadata": {"user_id": 42, "negative": -7, "ratio": 3.5, "vip": true, "none": null, "empty": "",
                "customer": {"id": "cus 1", "address": {"city": "São Paulo"}}, "tags": ["a b", "c/d"],
                "space": "a b", "slash": "a/b", "hash": "a#b", "question": "a?b", "percent": "100%",
                "plus": "a+b", "amp": "a&b", "emoji": "📄pdf", "accent": "café", "dquote": "say \\"hi\\"",
                "squote": "it's", "safe": "!-_.*'()", "dots": "..", "dot": ".", "region": "eu",
                "priority": "high", "email": "Jane.Doe@Example.com", "dollar": "${sys:user.home}"}}}""";

    private static final String COMBINED = """
            {"combined_submission": {"id": "com_Zbetd3ayK4EK3J4Hf4", "account_id": "acc_X3gQR5GN6tS6tcYgJs",
              "test": false, "processed_at": "2018-10-29T09:45:31Z", "download_url": "file:///x.pdf",
              "metadata": {"user_id": 42}}}""";

    private static final String SUBMISSION_WITHOUT_TIME = """
            {"submission": {"id": "sub_1", "account_id": "acc_1", "template_id": "tpl_1", "download_url": "file:///x.pdf"}}""";

    static Stream<Arguments> renderedKeys() {
        return Stream.of(
                // the documentation's examples, word for word
                key("seed example for submissions", SUBMISSION, "{{ template_id }}/{{ submission_id }}.pdf", "tpl_eGc5CmFbPnCCmerqsx/sub_Gbxesk7Xf52Pq3KgT9.pdf"),
                key("seed example for combined PDFs", COMBINED, "merged_pdfs/{{ combined_submission_id }}.pdf", "merged_pdfs/com_Zbetd3ayK4EK3J4Hf4.pdf"),
                key("seed example of metadata.user_id", SUBMISSION, "{{ metadata.user_id }}.pdf", "42.pdf"),
                // each variable of a submission
                key("account_id", SUBMISSION, "{{ account_id }}", "acc_X3gQR5GN6tS6tcYgJs"),
                key("template_id", SUBMISSION, "{{ template_id }}", "tpl_eGc5CmFbPnCCmerqsx"),
                key("template_name sanitised", SUBMISSION, "{{ template_name }}", "Invoice_2018"),
                key("submission_id", SUBMISSION, "{{ submission_id }}", "sub_Gbxesk7Xf52Pq3KgT9"),
                key("timestamp", SUBMISSION, "{{ timestamp }}", "20180509094531"),
                key("date", SUBMISSION, "{{ date }}", "20180509"),
                key("year", SUBMISSION, "{{ year }}", "2018"),
                key("month without zero padding", SUBMISSION, "{{ month }}", "5"),
                key("day without zero padding", SUBMISSION, "{{ day }}", "9"),
                // each variable of a combined submission
                key("combined account_id", COMBINED, "{{ account_id }}", "acc_X3gQR5GN6tS6tcYgJs"),
                key("combined timestamp", COMBINED, "{{ timestamp }}", "20181029094531"),
                key("combined date", COMBINED, "{{ date }}", "20181029"),
                key("combined year/month/day", COMBINED, "{{ year }}/{{ month }}/{{ day }}", "2018/10/29"),
                key("combined metadata", COMBINED, "{{ metadata.user_id }}/{{ combined_submission_id }}", "42/com_Zbetd3ayK4EK3J4Hf4"),
                key("time of the relay when processed_at is absent", SUBMISSION_WITHOUT_TIME, "{{ timestamp }}-{{ month }}-{{ day }}", "20260102030405-1-2"),
                // sanitising of interpolated values
                key("space", SUBMISSION, "{{ metadata.space }}", "a_b"),
                key("slash in a value does not make a folder", SUBMISSION, "{{ metadata.slash }}", "a_b"),
                key("hash", SUBMISSION, "{{ metadata.hash }}", "a_b"),
                key("question mark", SUBMISSION, "{{ metadata.question }}", "a_b"),
                key("percent", SUBMISSION, "{{ metadata.percent }}", "100_"),
                key("plus", SUBMISSION, "{{ metadata.plus }}", "a_b"),
                key("ampersand", SUBMISSION, "{{ metadata.amp }}", "a_b"),
                key("emoji is one character, one underscore", SUBMISSION, "{{ metadata.emoji }}", "_pdf"),
                key("accented letter", SUBMISSION, "{{ metadata.accent }}", "caf_"),
                key("double quotes", SUBMISSION, "{{ metadata.dquote }}", "say__hi_"),
                key("single quote is safe", SUBMISSION, "{{ metadata.squote }}", "it's"),
                key("every safe character kept", SUBMISSION, "{{ metadata.safe }}", "!-_.*'()"),
                key("dollar and braces from data", SUBMISSION, "{{ metadata.dollar }}", "__sys_user.home_"),
                key("the template's own slash separates folders", SUBMISSION, "a/{{ metadata.space }}/b.pdf", "a/a_b/b.pdf"),
                // metadata of every JSON type and nesting
                key("integer", SUBMISSION, "{{ metadata.user_id }}", "42"),
                key("negative number", SUBMISSION, "{{ metadata.negative }}", "-7"),
                key("decimal", SUBMISSION, "{{ metadata.ratio }}", "3.5"),
                key("boolean", SUBMISSION, "{{ metadata.vip }}", "true"),
                key("null renders empty", SUBMISSION, "x{{ metadata.none }}.pdf", "x.pdf"),
                key("nested key", SUBMISSION, "{{ metadata.customer.id }}", "cus_1"),
                key("deeply nested key", SUBMISSION, "{{ metadata.customer.address.city }}", "S_o_Paulo"),
                key("array element", SUBMISSION, "{{ metadata.tags[1] }}", "c_d"),
                key("array join", SUBMISSION, "{{ metadata.tags | join: '-' }}", "a_b-c_d"),
                key("missing key renders empty", SUBMISSION, "{{ metadata.nope }}x.pdf", "x.pdf"),
                key("missing nested key renders empty", SUBMISSION, "{{ metadata.nope.deeper }}x.pdf", "x.pdf"),
                // Liquid filters and tags
                key("downcase", SUBMISSION, "{{ metadata.email | downcase }}", "jane.doe_example.com"),
                key("upcase", SUBMISSION, "{{ template_id | upcase }}", "TPL_EGC5CMFBPNCCMERQSX"),
                key("default", SUBMISSION, "{{ metadata.nope | default: 'unknown' }}/x.pdf", "unknown/x.pdf"),
                key("replace", SUBMISSION, "{{ template_name | replace: '_', '-' }}", "Invoice-2018"),
                key("slice", SUBMISSION, "{{ date | slice: 0, 6 }}", "201805"),
                key("append", SUBMISSION, "{{ submission_id | append: '.pdf' }}", "sub_Gbxesk7Xf52Pq3KgT9.pdf"),
                key("zero padding with filters", SUBMISSION, "{{ month | prepend: '0' | slice: -2, 2 }}", "05"),
                key("date filter on the date variable", SUBMISSION, "{{ '2018-05-09' | date: '%Y/%m' }}", "2018/05"),
                key("if", SUBMISSION, "{% if metadata.priority == 'high' %}urgent/{% endif %}{{ submission_id }}", "urgent/sub_Gbxesk7Xf52Pq3KgT9"),
                key("if on a number", SUBMISSION, "{% if metadata.user_id > 40 %}big{% else %}small{% endif %}", "big"),
                key("case", SUBMISSION, "{% case metadata.region %}{% when 'eu' %}europe{% else %}world{% endcase %}/x", "europe/x"),
                key("whitespace control", SUBMISSION, "a/ {%- if true -%} b {%- endif -%} /c", "a/b/c"),
                key("assign", SUBMISSION, "{% assign folder = year | append: '-' | append: month %}{{ folder }}/x", "2018-5/x"),
                // normalisation
                key("leading slash removed", SUBMISSION, "/{{ submission_id }}.pdf", "sub_Gbxesk7Xf52Pq3KgT9.pdf"),
                key("repeated slashes collapsed", SUBMISSION, "a//b///{{ submission_id }}", "a/b/sub_Gbxesk7Xf52Pq3KgT9"),
                key("empty folder from a missing value collapsed", SUBMISSION, "{{ metadata.empty }}/x/{{ metadata.nope }}/y.pdf", "x/y.pdf"));
    }

    static Stream<Arguments> rejectedKeys() {
        return Stream.of(
                key("empty key", SUBMISSION, "{{ metadata.nope }}", "empty key"),
                key("only slashes", SUBMISSION, "///", "empty key"),
                key("dot-dot folder in the template", SUBMISSION, "../{{ submission_id }}", "'..' folder"),
                key("dot-dot folder from data", SUBMISSION, "{{ metadata.dots }}/x.pdf", "'..' folder"),
                key("dot folder", SUBMISSION, "a/{{ metadata.dot }}/x.pdf", "'.' folder"),
                key("longer than 1024 bytes", SUBMISSION, "{% for i in (1..1100) %}a{% endfor %}", "1100 bytes"),
                key("600 two-byte characters are 1200 bytes", SUBMISSION, "{% for i in (1..600) %}é{% endfor %}", "1200 bytes"),
                key("Camel simple expression written in the template", SUBMISSION, "${sysenv.HOME}/x.pdf", "must not contain '${'"),
                key("runaway loop", SUBMISSION, "{% for i in (1..100000000) %}{% endfor %}x", "loops more than"),
                key("huge output", SUBMISSION, "{% for i in (1..5000) %}aaaaaaaaaa{% endfor %}", "renders more than"),
                key("string doubling in assigns", SUBMISSION, "{% assign a = 'xxxxxxxxxx' %}" + "{% assign a = a | append: a %}".repeat(40) + "{{ a | size }}", "'append' filter would produce more than"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderedKeys")
    void rendersTheDocumentedKey(String name, String message, String template, String expected) {
        assertThat(render(template, message)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedKeys")
    void refusesKeysThatWouldSurpriseTheCustomer(String name, String message, String template, String reason) {
        assertThatThrownBy(() -> render(template, message)).isInstanceOf(InvalidKeyException.class).hasMessageContaining(reason);
    }

    @Test
    void rendersMonthWithoutZeroPadding() {
        assertThat(render("{{ year }}-{{ month }}-{{ day }}", SUBMISSION)).isEqualTo("2018-5-9");
    }

    @Test
    void refusesATemplateThatDoesNotParse() {
        assertThatThrownBy(() -> RENDERER.parse("{{ submission_id ")).isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("does not parse");
        assertThatThrownBy(() -> RENDERER.parse("{% if %}")).isInstanceOf(InvalidKeyException.class);
    }

    @Test
    void refusesATemplateLargerThanTheLimit() {
        assertThatThrownBy(() -> RENDERER.parse("a".repeat(9000) + "{{ submission_id }}"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("at most 8192");
    }

    @Test
    void neverReadsFilesThroughInclude() {
        PathTemplate template = RENDERER.parse("{% include '/etc/passwd' %}");
        assertThatThrownBy(() -> RENDERER.render(template, submission(SUBMISSION), RELAY_CLOCK))
                .isInstanceOf(InvalidKeyException.class);
    }

    @Test
    void stopsARunawayLoopAtTheIterationLimit() {
        PathTemplate template = RENDERER.parse("{% for i in (1..100000000) %}{{ i }}{% endfor %}");
        assertThatThrownBy(() -> RENDERER.render(template, submission(SUBMISSION), RELAY_CLOCK))
                .isInstanceOf(InvalidKeyException.class).hasMessage("the path template loops more than 10000 times");
    }

    @Test
    void stopsARenderThatRunsPastItsDeadline() {
        // a deadline already passed when the render starts: the first filter call stops it
        var strict = new PathTemplateRenderer(new PathTemplateRenderer.Limits(10_000, 16_384, 8_192, -1));
        PathTemplate template = strict.parse("{{ submission_id | append: '.pdf' }}");
        assertThatThrownBy(() -> strict.render(template, submission(SUBMISSION), RELAY_CLOCK))
                .isInstanceOf(InvalidKeyException.class).hasMessage("the path template took too long to render");
    }

    @Test
    void rendersEachThreadsOwnKeyWhenThreadsShareOneTemplate() throws Exception {
        PathTemplate shared = RENDERER.parse("{{ metadata.n }}/{{ submission_id }}.pdf");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var wrong = new java.util.concurrent.atomic.AtomicInteger();
            var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int thread = 0; thread < 8; thread++) {
                int t = thread;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        String id = "sub_" + t + "_" + i;
                        var variables = java.util.Map.<String, Object>of("submission_id", id, "metadata", java.util.Map.of("n", t));
                        if (!RENDERER.render(shared, variables).equals(t + "/" + id + ".pdf")) {
                            wrong.incrementAndGet();
                        }
                    }
                }));
            }
            for (var future : futures) {
                future.get();
            }
            assertThat(wrong.get()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    private static Arguments key(String name, String message, String template, String expected) {
        return Arguments.of(name, message, template, expected);
    }

    private static String render(String template, String message) {
        return RENDERER.render(RENDERER.parse(template), submission(message), RELAY_CLOCK);
    }

    private static Submission submission(String json) {
        return PARSER.parse(json);
    }
}
