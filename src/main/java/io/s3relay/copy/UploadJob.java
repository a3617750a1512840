package io.s3relay.copy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.s3relay.submission.Submission;

/**
 * One copy to make: a submission's PDF into one integration's bucket. Travels as JSON on the internal upload
 * queue, so that each copy is retried, dead-lettered and acknowledged on its own.
 *
 * @param receivedAt when the relay took the submission: the time variables fall back to it, so that a retry
 *                   renders the same key as the first attempt
 * @param replayed   an operator moved it back from the dead-letter queue; its statuses say so
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UploadJob(
        @JsonProperty("integration_id") String integrationId,
        @JsonProperty("received_at") String receivedAt,
        @JsonProperty("submission") Submission submission,
        @JsonProperty("replayed") boolean replayed) {
}
