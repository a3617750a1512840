package io.s3relay.submission;

/** The input message cannot be understood; retrying it cannot help. */
public class InvalidSubmissionException extends RuntimeException {
    public InvalidSubmissionException(String message) {
        super(message);
    }
}
