package io.s3relay.auth;

import java.net.URI;
import java.time.Duration;

import io.s3relay.config.RoleAccess;
import io.s3relay.settings.RelaySettings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * The relay's own AWS identity, the principal that customers' roles trust: the access key of
 * {@code s3relay.aws.access-key-id} and {@code s3relay.aws.secret-access-key}, or, when those are empty, whatever
 * the standard AWS credential chain finds (environment, profile, container or instance role). It asks STS, in
 * {@code s3relay.aws.region} or at {@code s3relay.aws.sts-endpoint}, for the customers' role credentials.
 * <p>
 * Each integration with a role gets a provider of its own ({@link #assume}): it assumes the role on first use,
 * keeps the credentials, and assumes it again only when they have less than {@code refreshBefore} left, so an upload
 * never waits for STS but the first one and the one that refreshes. STS is not retried by the SDK: as for S3, a
 * throttled or failing STS fails the upload, which the broker retries later (see {@link AssumeRoleFailures}).
 */
public class RelayAwsIdentity implements AutoCloseable {

    /** STS's bounds on a role session's duration. */
    static final int MIN_SESSION_SECONDS = 900;
    static final int MAX_SESSION_SECONDS = 43_200;

    private final String accessKeyId;
    private final String secretAccessKey;
    private final String region;
    private final URI stsEndpoint;
    private final Duration sessionDuration;
    private final Duration refreshBefore;
    private StsClient sts;

    public RelayAwsIdentity(String accessKeyId, String secretAccessKey, String region, URI stsEndpoint,
                            Duration sessionDuration, Duration refreshBefore) {
        if (accessKeyId != null && !accessKeyId.isBlank() && (secretAccessKey == null || secretAccessKey.isBlank())) {
            throw new IllegalArgumentException("s3relay.aws.access-key-id is set but s3relay.aws.secret-access-key is empty");
        }
        long seconds = sessionDuration.toSeconds();
        if (seconds < MIN_SESSION_SECONDS || seconds > MAX_SESSION_SECONDS) {
            throw new IllegalArgumentException("s3relay.aws.role-session-seconds must be between " + MIN_SESSION_SECONDS
                    + " and " + MAX_SESSION_SECONDS + " (STS's limits), not " + seconds);
        }
        if (refreshBefore.isNegative() || refreshBefore.isZero() || refreshBefore.compareTo(sessionDuration) >= 0) {
            throw new IllegalArgumentException("s3relay.aws.role-refresh-before-seconds must be more than 0 and less than "
                    + "s3relay.aws.role-session-seconds, not " + refreshBefore.toSeconds());
        }
        this.accessKeyId = accessKeyId == null || accessKeyId.isBlank() ? null : accessKeyId.strip();
        this.secretAccessKey = secretAccessKey == null ? null : secretAccessKey.strip();
        this.region = region == null || region.isBlank() ? "us-east-1" : region.strip();
        this.stsEndpoint = stsEndpoint;
        this.sessionDuration = sessionDuration;
        this.refreshBefore = refreshBefore;
    }

    /**
     * From the {@code s3relay.aws.*} settings.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public static RelayAwsIdentity fromSettings(RelaySettings.Aws aws) {
        String endpoint = aws.getStsEndpoint();
        URI sts = null;
        if (!endpoint.isBlank()) {
            try {
                sts = URI.create(endpoint.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("s3relay.aws.sts-endpoint is not a URL: " + endpoint);
            }
        }
        return new RelayAwsIdentity(aws.getAccessKeyId(), aws.getSecretAccessKey(), aws.getRegion(), sts,
                Duration.ofSeconds(aws.getRoleSessionSeconds()), Duration.ofSeconds(aws.getRoleRefreshBeforeSeconds()));
    }

    /**
     * Credentials of the customer's role, assumed on first use and refreshed before they expire. Close it with the
     * client that uses it.
     */
    public RoleCredentials assume(RoleAccess role) {
        AssumeRoleRequest request = AssumeRoleRequest.builder()
                .roleArn(role.roleArn())
                .externalId(role.externalId())
                .roleSessionName(role.sessionName())
                .durationSeconds((int) sessionDuration.toSeconds())
                .build();
        return new RoleCredentials(StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts())
                .refreshRequest(request)
                // refreshed by the upload that finds them due, not by a thread per integration
                .asyncCredentialUpdateEnabled(false)
                .prefetchTime(refreshBefore)
                .staleTime(staleBefore(refreshBefore))
                .build(), java.time.Clock.systemUTC());
    }

    /**
     * When the credentials may no longer be used: a minute after the refresh is due (half-way there for a shorter
     * refreshBefore). Until then a failed refresh keeps the credentials in use and the next upload tries again;
     * from then on every upload waits for STS. With exactly a minute between the two the SDK does not move the
     * refresh by a random delay (it spreads it between refreshBefore and a minute after stale otherwise), so the
     * renewal comes when refreshBefore says.
     */
    static Duration staleBefore(Duration refreshBefore) {
        Duration minute = Duration.ofMinutes(1);
        return refreshBefore.compareTo(minute.multipliedBy(2)) >= 0 ? refreshBefore.minus(minute) : refreshBefore.dividedBy(2);
    }

    /** One STS client for every integration, made when the first role is assumed. */
    private synchronized StsClient sts() {
        if (sts == null) {
            var builder = StsClient.builder()
                    .region(Region.of(region))
                    .credentialsProvider(ownCredentials())
                    .httpClientBuilder(ApacheHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(Duration.ofSeconds(30)))
                    .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none())
                            .apiCallTimeout(Duration.ofSeconds(30)));
            if (stsEndpoint != null) {
                builder.endpointOverride(stsEndpoint);
            }
            sts = builder.build();
        }
        return sts;
    }

    private AwsCredentialsProvider ownCredentials() {
        if (accessKeyId != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** Where the relay's own identity comes from, for the log: never a secret. */
    public String describe() {
        return (accessKeyId != null ? "access key " + accessKeyId : "the standard AWS credential chain") + ", STS "
                + (stsEndpoint != null ? "at " + stsEndpoint : "in " + region);
    }

    @Override
    public synchronized void close() {
        if (sts != null) {
            sts.close();
            sts = null;
        }
    }
}
