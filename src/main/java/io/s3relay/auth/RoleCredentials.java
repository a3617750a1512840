package io.s3relay.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.StsException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * One integration's role credentials: the SDK's provider, which keeps them and renews them before they expire, and
 * a short memory of STS refusing the role. The S3 client asks for credentials more than once within one call when
 * they cannot be had (three AssumeRole calls for one failed PutObject were seen), and a refusal does not change
 * within seconds: for {@link #REFUSAL_MEMORY} the same refusal is answered without asking STS again. Throttling
 * and STS's own failures are not remembered: the next upload asks again.
 */
public final class RoleCredentials implements AwsCredentialsProvider, SdkAutoCloseable {

    static final Duration REFUSAL_MEMORY = Duration.ofSeconds(5);

    private final StsAssumeRoleCredentialsProvider provider;
    private final Clock clock;
    private volatile StsException refusal;
    private volatile Instant refusedUntil = Instant.MIN;

    RoleCredentials(StsAssumeRoleCredentialsProvider provider, Clock clock) {
        this.provider = provider;
        this.clock = clock;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        StsException remembered = refusal;
        if (remembered != null && clock.instant().isBefore(refusedUntil)) {
            throw remembered;
        }
        try {
            AwsCredentials credentials = provider.resolveCredentials();
            refusal = null;
            return credentials;
        } catch (StsException e) {
            if (!AssumeRoleFailures.isTransient(e)) {
                refusedUntil = clock.instant().plus(REFUSAL_MEMORY);
                refusal = e;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        provider.close();
    }
}
