package io.s3relay.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionKind;
import io.s3relay.submission.SubmissionParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A template is rendered from the variables it reads, not from all of them: its key must be the one it renders
 * from every variable of the submission, whichever variables it uses and however it reaches them.
 */
class PathTemplateVariablesTest {

    private static final PathTemplateRenderer RENDERER = new PathTemplateRenderer();
    private static final SubmissionParser PARSER = new SubmissionParser(new ObjectMapper());
    private static final Instant RELAY_CLOCK = Instant.parse("2026-01-02T03:04:05Z");

    private static final Submission SUBMISSION = PARSER.parse("""
            {"submission": {"id": "sub 1", "account_id": "acc/1", "template_id": "tpl_1", "template_name": "Invoice 2018",
              "test": false, "processed_at": "2018-05-09T23:45:31-02:30", "download_url": "file:///x.pdf",
              "metadata": {"user_id": 42, "vip": true, "region": "eu", "key": "region",
                "customer": {"name": "Jane Doe & Co", "address": {"city": "São Paulo"}}, "tags": ["a b", "c/d"]}}}""");

    private static final Submission COMBINED = PARSER.parse("""
            {"combined_submission": {"id": "com_1", "account_id": "acc_1", "test": false,
              "processed_at": "2018-10-29T09:45:31+05:45", "download_url": "file:///x.pdf",
              "metadata": {"user_id": 42, "customer": {"name": "Jane"}}}}""");

    private static final Submission WITHOUT_TIME = PARSER.parse("""
            {"submission": {"id": "sub_1", "account_id": "acc_1", "template_id": "tpl_1", "download_url": "file:///x.pdf"}}""");

    static Stream<Arguments> templates() {
        return Stream.of(
                template(SUBMISSION, "{{ account_id }}"),
                template(SUBMISSION, "{{ template_id }}"),
                template(SUBMISSION, "{{ template_name }}"),
                template(SUBMISSION, "{{ submission_id }}"),
                template(SUBMISSION, "{{ timestamp }}"),
                template(SUBMISSION, "{{ date }}"),
                template(SUBMISSION, "{{ year }}"),
                template(SUBMISSION, "{{ month }}"),
                template(SUBMISSION, "{{ day }}"),
                template(SUBMISSION, "{{ metadata.user_id }}"),
                template(SUBMISSION, "{{ metadata.customer.name }}/{{ metadata.customer.address.city }}"),
                template(SUBMISSION, "{{ metadata.tags[1] }}/{{ metadata.tags | join: '-' }}"),
                template(SUBMISSION, "{{ metadata[metadata.key] }}/{{ submission_id }}"),
                template(SUBMISSION, "{% if metadata.vip %}vip/{% endif %}{% if year == '2018' %}old/{% endif %}{{ submission_id }}"),
                template(SUBMISSION, "{% unless template_name contains 'Invoice' %}other/{% endunless %}{{ submission_id }}"),
                template(SUBMISSION, "{% case metadata.region %}{% when 'eu' %}europe{% else %}world{% endcase %}/{{ date }}"),
                template(SUBMISSION, "{% for tag in metadata.tags %}{{ tag }}-{{ forloop.index }}/{% endfor %}{{ day }}"),
                template(SUBMISSION, "{% for i in (1..month) %}{{ i }}{% endfor %}/{{ submission_id }}"),
                template(SUBMISSION, "{% assign folder = year | append: '-' | append: month %}{{ folder }}/{{ submission_id }}"),
                template(SUBMISSION, "{% capture who %}{{ account_id }}{% endcapture %}{{ who }}/{{ submission_id }}"),
                template(SUBMISSION, "{{ submission_id | append: account_id | replace: 'sub', template_id }}"),
                template(SUBMISSION, "{% assign year = '1999' %}{{ year }}/{{ submission_id }}"),
                template(SUBMISSION, "{{ ['submission_id'] }}/x"),
                template(SUBMISSION, "{% assign name = 'submission_id' %}{{ [name] }}/x"),
                template(SUBMISSION, "{% cycle account_id, template_id %}/{% increment count %}/{{ submission_id }}"),
                template(SUBMISSION, "{{ combined_submission_id }}x/{{ submission_id }}"),
                template(SUBMISSION, "{{ nope }}x/{{ submission_id }}"),
                template(COMBINED, "merged_pdfs/{{ combined_submission_id }}.pdf"),
                template(COMBINED, "{{ account_id }}/{{ timestamp }}/{{ year }}/{{ month }}/{{ day }}/{{ date }}"),
                template(COMBINED, "{{ metadata.customer.name }}/{{ combined_submission_id }}"),
                template(COMBINED, "{{ template_id }}x/{{ combined_submission_id }}"),
                template(WITHOUT_TIME, "{{ timestamp }}/{{ submission_id }}"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("templates")
    void rendersTheKeyItRendersFromEveryVariable(Submission submission, String source) {
        PathTemplate template = RENDERER.parse(source);
        String fromEveryVariable = RENDERER.render(template, PathVariables.of(submission, RELAY_CLOCK));

        assertThat(RENDERER.render(template, submission, RELAY_CLOCK)).isEqualTo(fromEveryVariable);
    }

    @Test
    void convertsAProcessedAtWithAnOffsetToUtc() {
        assertThat(render("{{ timestamp }}/{{ date }}/{{ year }}/{{ month }}/{{ day }}", SUBMISSION))
                .isEqualTo("20180510021531/20180510/2018/5/10");
        assertThat(render("{{ timestamp }}", COMBINED)).isEqualTo("20181029040031");
    }

    @Test
    void looksUpAVariableByAComputedName() {
        assertThat(render("{% assign name = 'account_id' %}{{ [name] }}/x", SUBMISSION))
                .isEqualTo(render("{{ account_id }}/x", SUBMISSION));
    }

    @Test
    void stillReportsAndRendersEmptyAVariableOfTheOtherKind() {
        PathTemplate template = RENDERER.parse("{{ template_id }}x/{{ combined_submission_id }}");

        assertThat(PathTemplateValidator.check(template, SubmissionKind.COMBINED_SUBMISSION).errors())
                .singleElement().asString().contains("unknown variable 'template_id'");
        assertThat(RENDERER.render(template, COMBINED, RELAY_CLOCK)).isEqualTo("x/com_1");
    }

    @Test
    void sanitisesTheMetadataKeysATemplateWritesOut() {
        Submission hostile = PARSER.parse("""
                {"submission": {"id": "sub_1", "account_id": "acc_1", "download_url": "file:///x.pdf",
                  "metadata": {"a/../b c": "v", "safe_key": {"x?y#z": 1}}}}""");

        assertThat(render("{% for pair in metadata %}{{ pair[0] }}/{% endfor %}{{ submission_id }}", hostile))
                .isEqualTo("a_.._b_c/safe_key/sub_1");
        assertThat(render("{% for pair in metadata.safe_key %}{{ pair[0] }}{% endfor %}/x", hostile)).isEqualTo("x_y_z/x");
    }

    @Test
    void stillRefusesAnEmptyKeyFromAnUnknownVariable() {
        assertThatThrownBy(() -> render("{{ nope }}", SUBMISSION)).isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("empty key");
    }

    private static String render(String template, Submission submission) {
        return RENDERER.render(RENDERER.parse(template), submission, RELAY_CLOCK);
    }

    private static Arguments template(Submission submission, String source) {
        return Arguments.of(submission, source);
    }
}
