package io.s3relay.config;

import java.net.URI;

import io.s3relay.submission.SubmissionKind;

/**
 * One customer's S3 integration as configured. {@link #toString()} never shows the secret: this object
 * travels through logs and error messages.
 */
public record Integration(
        String id,
        String accountId,
        String bucket,
        String region,
        String accessKeyId,
        String secretAccessKey,
        RoleAccess role,
        URI endpoint,
        boolean pathStyle,
        SubmissionTypes submissionTypes,
        String pathTemplate,
        String testPathTemplate,
        String combinedPathTemplate,
        ObjectOptions objectOptions) {

    public Integration {
        objectOptions = objectOptions == null ? ObjectOptions.NONE : objectOptions;
    }

    /** Whether the relay assumes the customer's role (role_arn) instead of using the customer's access keys. */
    public boolean assumesRole() {
        return role != null;
    }

    /** Blank or absent: combined PDFs are not uploaded. */
    public boolean uploadsCombined() {
        return combinedPathTemplate != null && !combinedPathTemplate.isBlank();
    }

    /** The template text that names this submission's object; blank or null for combined PDFs it does not upload. */
    public String templateFor(SubmissionKind kind, boolean test) {
        return choose(kind, test, pathTemplate, testPathTemplate, combinedPathTemplate);
    }

    /**
     * Which of an integration's templates names a submission's object, as text or parsed: the combined one for a
     * combined PDF, the test one for a test submission when there is one, otherwise the live one.
     */
    static <T> T choose(SubmissionKind kind, boolean test, T live, T testTemplate, T combined) {
        if (kind == SubmissionKind.COMBINED_SUBMISSION) {
            return combined;
        }
        return test && testTemplate != null ? testTemplate : live;
    }

    /** How its S3 client connects; versions of an integration with equal connections share one client. */
    public S3Connection connection() {
        return new S3Connection(region, accessKeyId, secretAccessKey, endpoint, pathStyle, role);
    }

    @Override
    public String toString() {
        return "Integration[id=" + id + ", account_id=" + accountId + ", bucket=" + bucket + ", region=" + region
                + ", endpoint=" + endpoint + (role == null ? "" : ", role_arn=" + role.roleArn())
                + ", submission_types=" + submissionTypes.name().toLowerCase() + "]";
    }
}
