package io.s3relay.auth;

import java.util.Set;

import software.amazon.awssdk.services.sts.model.StsException;

/**
 * How a failed AssumeRole is judged and told. STS refusing the role (the role's trust policy does not name the
 * relay's principal, the external ID differs, the role does not exist) is the customer's to fix and fails the upload
 * for good, with words the customer understands; STS throttling or failing is retried like S3's own. A refusal of the
 * relay's own credentials is the operator's to fix: retried, so that customers' uploads survive the fix.
 */
public final class AssumeRoleFailures {

    /** What the customer reads when STS refuses the role. */
    public static final String REFUSED = "the role does not trust this platform, or the external ID does not match";

    private static final Set<String> TRANSIENT_CODES = Set.of("Throttling", "ThrottlingException",
            "RequestLimitExceeded", "ServiceUnavailable", "InternalFailure", "InternalError", "IDPCommunicationError",
            "RequestTimeout");
    /** The relay's own identity is refused: its key, its signature, its clock or its session token. */
    private static final Set<String> OWN_IDENTITY_CODES = Set.of("InvalidClientTokenId", "SignatureDoesNotMatch",
            "ExpiredToken", "IncompleteSignature", "UnrecognizedClientException", "RequestExpired",
            "InvalidSignatureException", "RequestTimeTooSkewed");

    private AssumeRoleFailures() {
    }

    /** The STS answer within a failure, or null when STS did not answer it. */
    public static StsException find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StsException sts) {
                return sts;
            }
        }
        return null;
    }

    public static boolean isTransient(StsException e) {
        String code = code(e);
        return e.statusCode() >= 500 || e.statusCode() == 429 || TRANSIENT_CODES.contains(code)
                || OWN_IDENTITY_CODES.contains(code);
    }

    /** Whether the relay's own AWS identity, not the customer's role, is what STS refused. */
    public static boolean ownIdentityRefused(StsException e) {
        return OWN_IDENTITY_CODES.contains(code(e));
    }

    /** One line for statuses, dead letters and check-integration. STS's own message is left out: it names ARNs. */
    public static String describe(StsException e) {
        String code = code(e);
        String answer = "(STS answered " + e.statusCode() + (code.isEmpty() ? "" : " " + code) + ")";
        if (ownIdentityRefused(e)) {
            return "the relay's own AWS identity was refused by STS; the operator must check s3relay.aws.* " + answer;
        }
        if (isTransient(e)) {
            return "STS could not give the role's credentials now; the upload is retried " + answer;
        }
        return REFUSED + " " + answer;
    }

    private static String code(StsException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return code == null ? "" : code;
    }
}
