package io.s3relay.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3relay.submission.SubmissionKind;
import org.junit.jupiter.api.Test;

/** Templates are checked against the variables of their kind when the configuration is loaded. */
class PathTemplateValidatorTest {

    private final PathTemplateRenderer renderer = new PathTemplateRenderer();

    @Test
    void acceptsEveryDocumentedVariableOfASubmission() {
        var findings = check("{{ account_id }}/{{ template_id }}/{{ template_name }}/{{ submission_id }}/{{ timestamp }}"
                + "/{{ date }}/{{ year }}/{{ month }}/{{ day }}/{{ metadata.user_id }}", SubmissionKind.SUBMISSION);
        assertThat(findings.errors()).isEmpty();
        assertThat(findings.warnings()).isEmpty();
    }

    @Test
    void reportsATypoWithTheClosestVariable() {
        var findings = check("{{ template_id }}/{{ submision_id }}.pdf", SubmissionKind.SUBMISSION);
        assertThat(findings.errors()).singleElement().asString()
                .startsWith("unknown variable 'submision_id' (did you mean 'submission_id'?)");
    }

    @Test
    void refusesTheCombinedIdInASubmissionTemplate() {
        var findings = check("{{ combined_submission_id }}.pdf", SubmissionKind.SUBMISSION);
        assertThat(findings.errors()).singleElement().asString().contains("unknown variable 'combined_submission_id'");
    }

    @Test
    void refusesSubmissionOnlyVariablesInACombinedTemplate() {
        var findings = check("{{ template_id }}/{{ combined_submission_id }}.pdf", SubmissionKind.COMBINED_SUBMISSION);
        assertThat(findings.errors()).singleElement().asString().contains("unknown variable 'template_id'");
    }

    @Test
    void findsVariablesInsideTagsAndFilters() {
        var findings = check("{% if metdata.vip %}vip/{% endif %}{{ submission_id | append: acount_id }}", SubmissionKind.SUBMISSION);
        assertThat(findings.errors()).hasSize(2);
        assertThat(findings.errors().get(0)).contains("'metdata' (did you mean 'metadata'?)");
        assertThat(findings.errors().get(1)).contains("'acount_id' (did you mean 'account_id'?)");
    }

    @Test
    void acceptsNamesTheTemplateDeclaresItself() {
        var findings = check("{% assign y = year %}{% capture folder %}{{ y }}{% endcapture %}"
                + "{% for tag in metadata.tags %}{{ tag }}{{ forloop.index }}{% endfor %}{{ folder }}/{{ submission_id }}",
                SubmissionKind.SUBMISSION);
        assertThat(findings.errors()).isEmpty();
    }

    @Test
    void refusesInclude() {
        assertThat(check("{% include 'secrets' %}{{ submission_id }}", SubmissionKind.SUBMISSION).errors())
                .contains("include is not allowed in path templates");
    }

    @Test
    void warnsWhenNoUniqueVariableIsUsed() {
        assertThat(check("{{ template_id }}/{{ timestamp }}.pdf", SubmissionKind.SUBMISSION).warnings())
                .singleElement().asString().contains("does not use submission_id");
        assertThat(check("merged/{{ date }}.pdf", SubmissionKind.COMBINED_SUBMISSION).warnings())
                .singleElement().asString().contains("does not use combined_submission_id");
    }

    @Test
    void suggestsNothingForANameFarFromEveryVariable() {
        assertThat(PathTemplateValidator.closest("customer_reference", PathVariables.SUBMISSION)).isNull();
    }

    private PathTemplateValidator.Findings check(String template, SubmissionKind kind) {
        return PathTemplateValidator.check(renderer.parse(template), kind);
    }
}
