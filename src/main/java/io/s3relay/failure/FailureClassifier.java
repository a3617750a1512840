package io.s3relay.failure;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.s3relay.auth.AssumeRoleFailures;
import io.s3relay.keys.InvalidKeyException;
import io.s3relay.submission.InvalidSubmissionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Sorts failures into the ones worth retrying (the server or the network may recover) and the permanent ones
 * (wrong credentials, no such bucket, a bad template or message), which fail at once.
 */
public final class FailureClassifier {

    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "RequestLimitExceeded");

    private FailureClassifier() {
    }

    public static boolean isPermanent(Throwable failure) {
        // STS's answer decides wherever the SDK wrapped it (a credentials provider's failure reaches the S3 call
        // inside a client exception, which alone would read as a network failure)
        var sts = AssumeRoleFailures.find(failure);
        if (sts != null) {
            return !AssumeRoleFailures.isTransient(sts);
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientFailureException) {
                return false;
            }
            if (t instanceof PermanentFailureException || t instanceof InvalidSubmissionException
                    || t instanceof InvalidKeyException || t instanceof JsonProcessingException) {
                return true;
            }
            if (t instanceof AwsServiceException aws) {
                String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
                int status = aws.statusCode();
                if (status >= 500 || status == 429 || status == 408 || (code != null && TRANSIENT_CODES.contains(code))) {
                    return false;
                }
                // AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, NoSuchBucket, a wrong region (301/400)...
                return status >= 300;
            }
            if (t instanceof SdkClientException || t instanceof IOException) {
                return false;
            }
        }
        return false;
    }

    /**
     * Whether the failure is one the relay knows how to judge: its own, an S3 answer, the network, the broker, bad
     * input. Anything else is more likely a defect than an outage, so it is not retried for an hour.
     */
    public static boolean isKnown(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientFailureException || t instanceof PermanentFailureException
                    || t instanceof InvalidSubmissionException || t instanceof InvalidKeyException
                    || t instanceof JsonProcessingException || t instanceof AwsServiceException
                    || t instanceof SdkClientException || t instanceof IOException
                    || t instanceof jakarta.jms.JMSException || t instanceof org.springframework.jms.JmsException
                    || t instanceof java.util.concurrent.RejectedExecutionException
                    || t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /** A one-line reason for statuses and dead letters; secrets never reach exception messages here. */
    public static String describe(Throwable failure) {
        var sts = AssumeRoleFailures.find(failure);
        if (sts != null) {
            return AssumeRoleFailures.describe(sts);
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
                String code = aws.awsErrorDetails().errorCode();
                String message = aws.awsErrorDetails().errorMessage();
                return "S3 answered " + aws.statusCode() + (code == null ? "" : " " + code)
                        + (message == null ? "" : ": " + message);
            }
        }
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
