package io.s3relay.config;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * Makes what the upload route sends one integration's objects to: its bucket with its own client, under names that
 * the relay chooses. The route names a target, never a customer's value, so that no bucket name is ever read as
 * part of an endpoint URI (where Camel would resolve placeholders and options).
 */
public interface UploadTargets {

    /** The registry names of the endpoints for a single PutObject and for a multipart upload. */
    record Target(String putObject, String multipart) {
    }

    Target bind(String bucket, S3Client client);

    /** The target is no longer used by any integration in force. */
    void unbind(Target target);
}
