package io.s3relay.config;

import io.s3relay.keys.PathTemplate;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionKind;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An integration in force: its settings, its templates parsed once (the object key's and the tag values'), its S3
 * client, and the endpoints that upload into its bucket with that client, found in Camel's registry under the names
 * of {@link #target()}.
 */
public record ActiveIntegration(
        Integration settings,
        PathTemplate pathTemplate,
        PathTemplate testPathTemplate,
        PathTemplate combinedPathTemplate,
        S3Client client,
        UploadTargets.Target target,
        java.util.Map<String, PathTemplate> tags) {

    public ActiveIntegration {
        tags = tags == null ? java.util.Map.of() : tags;
    }

    public String id() {
        return settings.id();
    }

    /** Live/test selection, and combined PDFs only where a combined template is set. */
    public boolean accepts(Submission submission) {
        if (!settings.submissionTypes().accepts(submission.test())) {
            return false;
        }
        return submission.kind() == SubmissionKind.SUBMISSION || combinedPathTemplate != null;
    }

    /** The template that names this submission's object. */
    public PathTemplate templateFor(SubmissionKind kind, boolean test) {
        return Integration.choose(kind, test, pathTemplate, testPathTemplate, combinedPathTemplate);
    }

    @Override
    public String toString() {
        return settings.toString();
    }
}
