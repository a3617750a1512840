package io.s3relay.command;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

import java.util.LinkedHashMap;
import java.util.Map;


import io.s3relay.auth.AssumeRoleFailures;
import io.s3relay.auth.RelayAwsIdentity;
import io.s3relay.config.Integration;
import io.s3relay.config.InvalidConfigurationException;
import io.s3relay.config.ObjectOptions;
import io.s3relay.keys.InvalidKeyException;
import io.s3relay.keys.ObjectTagging;
import io.s3relay.keys.PathTemplate;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.keys.PathTemplateValidator;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionKind;
import io.s3relay.upload.ObjectOptionsInterceptor;
import io.s3relay.upload.S3ClientFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * {@code check-integration <id>}: uploads a small test object with PutObject, exactly as the relay would (the same
 * credentials, the same object options, tags rendered for a check submission), and says in plain words what is
 * wrong. For an integration with a role it first assumes the role, so that a role STS refuses, an STS that is
 * throttling or down, and a role that may not write into the bucket are told apart. Exit 0 when the upload works, 1
 * when S3 or STS refuses it or when the relay would refuse the integration's templates, 2 on wrong usage or an
 * integration that is not usable, 3 when S3 cannot be reached.
 */
public final class CheckIntegrationCommand {

    static final String USAGE = """
            Usage: check-integration <integration id>
              Uploads a small test object (s3-relay-check/<time>.txt) with PutObject, as the relay would, to the
              integration's bucket in s3relay.integrations.file, and says what is wrong when it fails.
              --verbose    a failure's stack trace too
            Exit: 0 uploaded, 1 S3 refused it or the relay would refuse the integration's templates,
                  2 wrong usage or the integration is not usable, 3 S3 could not be reached.""";

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    public CheckIntegrationCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println(USAGE);
            return ExplainedFailure.USAGE;
        }
        Integration integration;
        try {
            integration = settings.integration(args[0]);
        } catch (InvalidConfigurationException e) {
            out.println(e.getMessage());
            return 2;
        }
        String refused = refusedTemplate(integration);
        if (refused != null) {
            out.println("Integration " + integration.id() + " is refused by the relay: " + refused);
            return 1;
        }
        Instant now = Instant.now();
        String key = "s3-relay-check/" + now.toString().replace(":", "-") + ".txt";
        RelayAwsIdentity identity;
        try {
            identity = RelayAwsIdentity.fromSettings(settings.relay().getAws());
        } catch (IllegalArgumentException e) {
            out.println("The relay's AWS settings are wrong: " + e.getMessage());
            return 2;
        }
        try (identity;
             S3ClientFactory clients = new S3ClientFactory(Duration.ofSeconds(30), 2, identity)) {
            if (integration.assumesRole()) {
                String refusedRole = assumeRole(identity, integration);
                if (refusedRole != null) {
                    out.println(refusedRole);
                    return 1;
                }
            }
            try (S3Client client = clients.create(integration)) {
                PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(integration.bucket()).key(key)
                        .contentType("text/plain");
                ObjectOptionsInterceptor.tagNext(integration.bucket(), key, checkTagging(integration, now));
                try {
                    client.putObject(request.build(), RequestBody.fromString("s3-relay can upload to this bucket\n"));
                } finally {
                    ObjectOptionsInterceptor.clearTags();
                }
                out.println("OK: uploaded " + key + " to bucket " + integration.bucket() + " (" + integration.region() + ")"
                        + (integration.assumesRole() ? " as role " + integration.role().roleArn() : "")
                        + (integration.objectOptions().any() ? " with its object options" : ""));
                return 0;
            }
        } catch (S3Exception e) {
            out.println(explain(integration, e));
            return 1;
        } catch (StsException e) {
            out.println("Cannot assume role " + integration.role().roleArn() + ": " + AssumeRoleFailures.describe(e) + ".");
            return 1;
        } catch (InvalidKeyException e) {
            out.println("Integration " + integration.id() + " is refused by the relay: " + e.getMessage());
            return 1;
        } catch (SdkClientException e) {
            StsException sts = AssumeRoleFailures.find(e);
            if (sts != null) {
                out.println("Cannot assume role " + integration.role().roleArn() + ": " + AssumeRoleFailures.describe(sts) + ".");
                return 1;
            }
            // the SDK's message names the host it tried; the endpoint and the region are what the operator can change
            Throwable root = ExplainedFailure.root(e);
            out.println("Cannot reach " + (integration.endpoint() == null ? "S3 in " + integration.region() : integration.endpoint())
                    + " for integration " + integration.id() + " (" + (root.getMessage() == null ? root : root.getMessage())
                    + "): check its endpoint and region in " + settings.relay().getIntegrations().getFile()
                    + ", or that this host may connect there");
            return ExplainedFailure.UNREACHABLE;
        }
    }

    /** Assumes the integration's role once, as its client will: null when STS gives the credentials, else why not. */
    private static String assumeRole(RelayAwsIdentity identity, Integration integration) {
        String role = integration.role().roleArn();
        try (var credentials = identity.assume(integration.role())) {
            credentials.resolveCredentials();
            return null;
        } catch (StsException e) {
            return "Cannot assume role " + role + ": " + AssumeRoleFailures.describe(e) + "."
                    + (AssumeRoleFailures.isTransient(e) ? "" : " The role's trust policy must name the relay's principal ("
                    + identity.describe() + ") and require this integration's external_id as sts:ExternalId.");
        } catch (SdkClientException e) {
            StsException sts = AssumeRoleFailures.find(e);
            if (sts != null) {
                return "Cannot assume role " + role + ": " + AssumeRoleFailures.describe(sts) + ".";
            }
            return "Cannot reach STS to assume role " + role + " (" + identity.describe() + "): " + e.getMessage();
        }
    }

    /** The integration's tags as a check submission renders them, or null without tags. */
    private static String checkTagging(Integration integration, Instant now) {
        if (integration.objectOptions().tags().isEmpty()) {
            return null;
        }
        PathTemplateRenderer renderer = new PathTemplateRenderer();
        Map<String, PathTemplate> tags = new LinkedHashMap<>();
        integration.objectOptions().tags().forEach((k, v) -> tags.put(k, renderer.parse(v)));
        Submission check = new Submission(SubmissionKind.SUBMISSION, "s3-relay-check", integration.accountId(),
                "s3-relay-check", "s3-relay check", true, now.toString(), Map.of(), null);
        return ObjectTagging.render(renderer, tags, check, () -> now);
    }

    /** Why the relay would not put the integration in force for its templates, or null when they are fine. */
    static String refusedTemplate(Integration integration) {
        PathTemplateRenderer renderer = new PathTemplateRenderer();
        String problem = refused(renderer, "path_template", integration.pathTemplate(), SubmissionKind.SUBMISSION);
        if (problem == null && integration.testPathTemplate() != null) {
            problem = refused(renderer, "test_path_template", integration.testPathTemplate(), SubmissionKind.SUBMISSION);
        }
        if (problem == null && integration.uploadsCombined()) {
            problem = refused(renderer, "combined_path_template", integration.combinedPathTemplate(),
                    SubmissionKind.COMBINED_SUBMISSION);
        }
        for (var tag : integration.objectOptions().tags().entrySet()) {
            if (problem == null) {
                problem = refused(renderer, "tags." + tag.getKey(), tag.getValue(), SubmissionKind.SUBMISSION);
            }
            if (problem == null && integration.uploadsCombined()) {
                problem = refused(renderer, "tags." + tag.getKey(), tag.getValue(), SubmissionKind.COMBINED_SUBMISSION);
            }
        }
        return problem;
    }

    private static String refused(PathTemplateRenderer renderer, String field, String template, SubmissionKind kind) {
        try {
            PathTemplateValidator.Findings findings = PathTemplateValidator.check(renderer.parse(template), kind);
            return findings.valid() ? null : field + ": " + String.join("; ", findings.errors());
        } catch (InvalidKeyException e) {
            return field + ": " + e.getMessage();
        } catch (RuntimeException | StackOverflowError e) {
            return field + ": " + e;
        }
    }

    static String explain(Integration integration, S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String bucket = integration.bucket();
        boolean role = integration.assumesRole();
        String plain = switch (code == null ? "" : code) {
            case "InvalidAccessKeyId", "InvalidToken" -> role
                    ? "S3 does not accept the role's session credentials (is the endpoint AWS S3?)."
                    : "Wrong access key id: S3 does not know " + integration.accessKeyId() + ".";
            case "SignatureDoesNotMatch" -> role
                    ? "S3 does not accept the role's session credentials' signature."
                    : "Wrong secret access key for access key id " + integration.accessKeyId() + ".";
            case "NoSuchBucket" -> "No such bucket: " + bucket + " does not exist (check the name and the account).";
            case "AccessDenied" -> "Access denied: the " + (role ? "role" : "key") + " may not PutObject into " + bucket
                    + " (" + permissionsNeeded(integration) + ").";
            case "KMS.NotFoundException", "KMS.DisabledException", "KMS.KMSInvalidStateException", "KMS.AccessDeniedException",
                 "KMSAccessDenied" -> "The KMS key " + integration.objectOptions().kmsKeyId()
                    + " cannot be used: it must exist in " + integration.region() + ", be enabled, and allow "
                    + "kms:GenerateDataKey to the " + (role ? "role" : "key") + ".";
            case "InvalidStorageClass" -> "The bucket does not take storage class " + integration.objectOptions().storageClass() + ".";
            case "AccessControlListNotSupported" -> "The bucket has ACLs disabled (Object Ownership: bucket owner enforced):"
                    + " remove acl from the integration, the bucket owner owns every object anyway.";
            case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException" ->
                    "Wrong region: bucket " + bucket + " is not in " + integration.region() + ".";
            default -> "S3 refused the upload.";
        };
        return plain + " (S3 answered " + e.statusCode() + (code == null ? "" : " " + code) + ")";
    }

    /** The permissions an integration's uploads need, as its options ask for them. */
    static String permissionsNeeded(Integration integration) {
        String bucket = integration.bucket();
        ObjectOptions options = integration.objectOptions();
        StringBuilder needs = new StringBuilder("the IAM policy needs s3:PutObject on arn:aws:s3:::" + bucket + "/*");
        if (!options.tags().isEmpty()) {
            needs.append(", s3:PutObjectTagging for its tags");
        }
        if (options.acl() != null) {
            needs.append(", s3:PutObjectAcl for its acl");
        }
        if ("aws:kms".equals(options.serverSideEncryption())) {
            needs.append(", and kms:GenerateDataKey on ").append(options.kmsKeyId() == null ? "the bucket's KMS key"
                    : options.kmsKeyId());
        }
        if (options.expectedBucketOwner() != null) {
            needs.append("; the bucket must belong to account ").append(options.expectedBucketOwner());
        }
        return needs.toString();
    }
}
