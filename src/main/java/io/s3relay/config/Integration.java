package io.s3relay.config;

import java.net.URI;

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
        URI endpoint,
        boolean pathStyle,
        SubmissionTypes submissionTypes,
        String pathTemplate,
        String testPathTemplate,
        String combinedPathTemplate) {

    /** Blank or absent: combined PDFs are not uploaded. */
    public boolean uploadsCombined() {
        return combinedPathTemplate != null && !combinedPathTemplate.isBlank();
    }

    /** Whether two versions of an integration can share one S3 client. */
    boolean sameConnection(Integration other) {
        return other != null && region.equals(other.region) && accessKeyId.equals(other.accessKeyId)
                && secretAccessKey.equals(other.secretAccessKey) && java.util.Objects.equals(endpoint, other.endpoint)
                && pathStyle == other.pathStyle;
    }

    @Override
    public String toString() {
        return "Integration[id=" + id + ", account_id=" + accountId + ", bucket=" + bucket + ", region=" + region
                + ", endpoint=" + endpoint + ", submission_types=" + submissionTypes.name().toLowerCase() + "]";
    }
}
