package io.s3relay.submission;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A processed submission or combined submission, as the upstream application announced it.
 * Template fields are null for combined submissions.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Submission(
        @JsonProperty("kind") SubmissionKind kind,
        @JsonProperty("id") String id,
        @JsonProperty("account_id") String accountId,
        @JsonProperty("template_id") String templateId,
        @JsonProperty("template_name") String templateName,
        @JsonProperty("test") boolean test,
        @JsonProperty("processed_at") String processedAt,
        @JsonProperty("metadata") Map<String, Object> metadata,
        @JsonProperty("download_url") String downloadUrl) {

    public Submission {
        metadata = metadata == null ? Map.of() : metadata;
    }
}
