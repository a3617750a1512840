package io.s3relay.config;

import java.net.URI;

/**
 * Where and as whom an S3 client connects: a customer's bucket or the platform's own store. Two integrations with
 * equal connections share one client. As whom: the access keys, or, where {@code role} is set, the customer's role
 * that the relay assumes (its session name names the account, so no two accounts share role credentials).
 * {@link #toString()} never shows the secret or the external ID.
 */
public record S3Connection(String region, String accessKeyId, String secretAccessKey, URI endpoint, boolean pathStyle,
                           RoleAccess role) {

    /** With access keys. */
    public S3Connection(String region, String accessKeyId, String secretAccessKey, URI endpoint, boolean pathStyle) {
        this(region, accessKeyId, secretAccessKey, endpoint, pathStyle, null);
    }

    @Override
    public String toString() {
        return "S3Connection[region=" + region + ", endpoint=" + endpoint + ", path_style=" + pathStyle
                + (role == null ? "" : ", role_arn=" + role.roleArn()) + "]";
    }
}
