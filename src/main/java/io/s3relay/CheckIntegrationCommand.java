package io.s3relay;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

import io.s3relay.config.Integration;
import io.s3relay.config.InvalidConfigurationException;
import io.s3relay.keys.InvalidKeyException;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.keys.PathTemplateValidator;
import io.s3relay.submission.SubmissionKind;
import io.s3relay.upload.S3ClientFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code check-integration <id>}: uploads a small test object with PutObject, exactly as the relay would, and
 * says in plain words what is wrong. Exit 0 when the upload works, 1 when S3 refuses it or when the relay would refuse
 * the integration's templates, 2 on wrong usage or an integration that is not usable, 3 when S3 cannot be reached.
 */
final class CheckIntegrationCommand {

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

    CheckIntegrationCommand(Settings settings, PrintStream out) {
        this(settings, out, System.err);
    }

    CheckIntegrationCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
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
        String key = "s3-relay-check/" + Instant.now().toString().replace(":", "-") + ".txt";
        try (S3ClientFactory clients = new S3ClientFactory(Duration.ofSeconds(30), 2);
             S3Client client = clients.create(integration)) {
            client.putObject(PutObjectRequest.builder().bucket(integration.bucket()).key(key).contentType("text/plain").build(),
                    RequestBody.fromString("s3-relay can upload to this bucket\n"));
            out.println("OK: uploaded " + key + " to bucket " + integration.bucket() + " (" + integration.region() + ")");
            return 0;
        } catch (S3Exception e) {
            out.println(explain(integration, e));
            return 1;
        } catch (SdkClientException e) {
            // the SDK's message names the host it tried; the endpoint and the region are what the operator can change
            Throwable root = ExplainedFailure.root(e);
            out.println("Cannot reach " + (integration.endpoint() == null ? "S3 in " + integration.region() : integration.endpoint())
                    + " for integration " + integration.id() + " (" + (root.getMessage() == null ? root : root.getMessage())
                    + "): check its endpoint and region in " + settings.get("s3relay.integrations.file", "")
                    + ", or that this host may connect there");
            return ExplainedFailure.UNREACHABLE;
        }
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
        String plain = switch (code == null ? "" : code) {
            case "InvalidAccessKeyId" -> "Wrong access key id: S3 does not know " + integration.accessKeyId() + ".";
            case "SignatureDoesNotMatch" -> "Wrong secret access key for access key id " + integration.accessKeyId() + ".";
            case "NoSuchBucket" -> "No such bucket: " + bucket + " does not exist (check the name and the account).";
            case "AccessDenied" -> "Access denied: the key may not PutObject into " + bucket
                    + " (the IAM policy needs s3:PutObject on arn:aws:s3:::" + bucket + "/*).";
            case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException" ->
                    "Wrong region: bucket " + bucket + " is not in " + integration.region() + ".";
            default -> "S3 refused the upload.";
        };
        return plain + " (S3 answered " + e.statusCode() + (code == null ? "" : " " + code) + ")";
    }
}
