package io.s3relay.config;

import java.net.URI;

/**
 * Where and as whom an S3 client connects: a customer's bucket or the platform's own store. Two integrations with
 * equal connections share one client. {@link #toString()} never shows the secret.
 */
public record S3Connection(String region, String accessKeyId, String secretAccessKey, URI endpoint, boolean pathStyle) {

    @Override
    public String toString() {
        return "S3Connection[region=" + region + ", endpoint=" + endpoint + ", path_style=" + pathStyle + "]";
    }
}
