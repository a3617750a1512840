package io.s3relay.status;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.config.ActiveIntegration;
import io.s3relay.config.Integration;
import io.s3relay.copy.Copy;
import io.s3relay.copy.UploadJob;
import io.s3relay.submission.Submission;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * Writes the {@code aws_s3_upload} status messages: pending when a job is accepted, processed once the object is
 * stored, failed with a readable error. They never carry a credential.
 */
public class StatusFactory {

    public static final String ACTION_TYPE = "aws_s3_upload";

    private final ObjectMapper mapper;
    private final Clock clock;
    private final java.util.function.Function<String, ActiveIntegration> integrations;

    public StatusFactory(ObjectMapper mapper, Clock clock, java.util.function.Function<String, ActiveIntegration> integrations) {
        this.mapper = mapper;
        this.clock = clock;
        this.integrations = integrations;
    }

    /** The copy's job has been accepted and is waiting for its upload. */
    public String pending(@ExchangeProperty(Copy.PROPERTY) Copy copy) {
        UploadJob job = copy.getJob();
        ActiveIntegration integration = ownIntegration(job.integrationId(), job.submission());
        Map<String, Object> result = integration == null ? null
                : resultData(integration.settings(), null, null, null);
        return write(status("pending", job.integrationId(), job.submission(), 0, result, null, job.replayed()));
    }

    /**
     * The object is stored: called right after the aws2-s3 producer, whose headers carry the ETag and version id
     * (null when S3 gave none).
     */
    public String processed(@ExchangeProperty(Copy.PROPERTY) Copy copy, @Header("CamelAwsS3ETag") String etag,
                            @Header("CamelAwsS3VersionId") String versionId) {
        UploadJob job = copy.getJob();
        Map<String, Object> result = resultData(copy.getIntegration().settings(), copy.getKey(), etag, versionId);
        // an integration that never overwrites found its object there: done, with the first object's bytes kept
        result.put("already_existed", copy.isAlreadyExisted());
        return write(status("processed", job.integrationId(), job.submission(), copy.getAttempt(), result, null,
                job.replayed()));
    }

    /** The job, or the submission when it never became a job (integrationId null), cannot be uploaded. */
    public String failed(String integrationId, Submission submission, int attempts, String error, String key,
                         boolean replayed) {
        ActiveIntegration integration = ownIntegration(integrationId, submission);
        Map<String, Object> result = integration == null ? null : resultData(integration.settings(), key, null, null);
        return write(status("failed", integrationId, submission, attempts, result, error, replayed));
    }

    /** The integration, if it is in force and the submission's account owns it: no status shows another's bucket. */
    private ActiveIntegration ownIntegration(String integrationId, Submission submission) {
        ActiveIntegration integration = integrationId == null ? null : integrations.apply(integrationId);
        return integration != null && integration.settings().accountId().equals(submission.accountId())
                ? integration : null;
    }

    private Map<String, Object> status(String state, String integrationId, Submission submission, int attempts,
                                       Map<String, Object> resultData, String error, boolean replayed) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("action_type", ACTION_TYPE);
        status.put("state", state);
        status.put("integration_id", integrationId);
        status.put("account_id", submission.accountId());
        status.put(submission.kind().idVariable(), submission.id());
        status.put("test", submission.test());
        status.put("attempts", attempts);
        status.put("timestamp", clock.instant().toString());
        status.put("result_data", resultData);
        status.put("error", error);
        if (replayed) {
            status.put("replayed", true);
        }
        return status;
    }

    private static Map<String, Object> resultData(Integration integration, String key, String etag, String versionId) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("s3_bucket", integration.bucket());
        result.put("s3_key", key);
        result.put("s3_region", integration.region());
        result.put("s3_url", key == null ? null : ObjectUrls.of(integration, key));
        result.put("etag", etag == null ? null : etag.replace("\"", ""));
        result.put("version_id", versionId);
        return result;
    }

    private String write(Map<String, Object> status) {
        try {
            return mapper.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a status message", e);
        }
    }
}
