package io.s3relay.failure;

/**
 * Told of each attempt of an integration's upload that failed and will be retried: the upload package's
 * IntegrationGuard, whose circuit opens after enough of them in a row.
 */
public interface FailedAttempts {

    void failed(String integrationId);
}
