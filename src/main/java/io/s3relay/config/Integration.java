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

    /** How its S3 client connects; versions of an integration with equal connections share one client. */
    public S3Connection connection() {
        return new S3Connection(region, accessKeyId, secretAccessKey, endpoint, pathStyle);
    }

    @Override
    public String toString() {
        return "Integration[id=" + id + ", account_id=" + accountId + ", bucket=" + bucket + ", region=" + region
                + ", endpoint=" + endpoint + ", submission_types=" + submissionTypes.name().toLowerCase() + "]";
    }
}
