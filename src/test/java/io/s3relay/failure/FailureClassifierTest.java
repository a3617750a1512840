package io.s3relay.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;

import io.s3relay.keys.InvalidKeyException;
import io.s3relay.submission.InvalidSubmissionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Which failures are retried and which fail at once. */
class FailureClassifierTest {

    @ParameterizedTest(name = "{0} {1} is permanent: {2}")
    @CsvSource({
            "403, AccessDenied, true",
            "403, InvalidAccessKeyId, true",
            "403, SignatureDoesNotMatch, true",
            "404, NoSuchBucket, true",
            "301, PermanentRedirect, true",
            "400, AuthorizationHeaderMalformed, true",
            "500, InternalError, false",
            "503, SlowDown, false",
            "503, ServiceUnavailable, false",
            "429, TooManyRequests, false",
            "400, RequestTimeout, false",
            "400, Throttling, false"})
    void classifiesS3Answers(int status, String code, boolean permanent) {
        S3Exception answer = (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message").build()).build();
        assertThat(FailureClassifier.isPermanent(new RuntimeException("wrapped", answer))).isEqualTo(permanent);
    }

    @Test
    void retriesNetworkFailuresAndTimeouts() {
        assertThat(FailureClassifier.isPermanent(SdkClientException.create("refused", new ConnectException("Connection refused")))).isFalse();
        assertThat(FailureClassifier.isPermanent(ApiCallTimeoutException.create(1000))).isFalse();
        assertThat(FailureClassifier.isPermanent(new IOException("reset"))).isFalse();
        assertThat(FailureClassifier.isPermanent(new TransientFailureException("source answered HTTP 503"))).isFalse();
    }

    @Test
    void failsBadInputAtOnce() {
        assertThat(FailureClassifier.isPermanent(new InvalidSubmissionException("submission.id is missing"))).isTrue();
        assertThat(FailureClassifier.isPermanent(new InvalidKeyException("the rendered key contains a '..' folder"))).isTrue();
        assertThat(FailureClassifier.isPermanent(new PermanentFailureException("source PDF does not exist"))).isTrue();
    }

    @Test
    void describesAnS3AnswerWithoutItsRequestDetails() {
        S3Exception answer = (S3Exception) S3Exception.builder().statusCode(403).message("long SDK text (Request ID: X)")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("Access Denied").build()).build();
        assertThat(FailureClassifier.describe(answer)).isEqualTo("S3 answered 403 AccessDenied: Access Denied");
    }
}
