package io.s3relay.config;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the S3 client of one integration (the upload package's S3ClientFactory): the registry makes a client for
 * each integration it puts in force, without knowing how.
 */
public interface S3Clients {

    S3Client create(Integration integration);
}
