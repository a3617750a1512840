package io.s3relay.command;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.config.Integration;
import io.s3relay.config.InvalidConfigurationException;
import io.s3relay.keys.InvalidKeyException;
import io.s3relay.keys.ObjectTagging;
import io.s3relay.keys.PathTemplate;
import io.s3relay.keys.PathTemplateRenderer;
import io.s3relay.keys.PathTemplateValidator;
import io.s3relay.submission.InvalidSubmissionException;
import io.s3relay.submission.Submission;
import io.s3relay.submission.SubmissionParser;

/**
 * {@code preview}: the key a template would write for a message, or the error the customer would see, so that
 * support staff can check a template before a customer relies on it. Exit 0 with a key, 1 with an error.
 */
final class PreviewCommand {

    static final String USAGE = """
            Usage: preview --message <file.json> (--template '<liquid>' | --integration <id>)
              Prints the object key a path template renders for a submission message, or the error the customer
              would see. Nothing is uploaded and no server is needed.
              --message <file.json>    a submission as the platform sends it
              --template '<liquid>'    a path template to try
              --integration <id>       the templates of that integration in s3relay.integrations.file
              --verbose                a failure's stack trace too
            Exit: 0 a key (or nothing to upload), 1 the template, the message or the integration is refused,
                  2 wrong usage or no such message file.""";

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    PreviewCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run(String[] args) throws Exception {
        String template = null;
        String message = null;
        String integrationId = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--template" -> template = value;
                case "--message" -> message = value;
                case "--integration" -> integrationId = value;
                default -> {
                    return usage("unknown option " + args[i]);
                }
            }
            i++;
        }
        if (message == null || (template == null) == (integrationId == null)) {
            return usage("give --message and either --template or --integration");
        }
        Submission submission;
        try {
            Path file = Path.of(message);
            if (!Files.isRegularFile(file)) {
                throw new ExplainedFailure(ExplainedFailure.USAGE, "no such file: " + file
                        + ": give --message the path of a submission's JSON");
            }
            submission = new SubmissionParser(new ObjectMapper()).parse(Files.readString(file));
        } catch (InvalidSubmissionException e) {
            err.println("The message cannot be processed: " + e.getMessage());
            return 1;
        }
        Integration integration = null;
        if (integrationId != null) {
            try {
                integration = settings.integration(integrationId);
            } catch (InvalidConfigurationException e) {
                err.println(e.getMessage());
                return 1;
            }
            if (!integration.submissionTypes().accepts(submission.test())) {
                out.println("(integration " + integrationId + " does not take " + (submission.test() ? "test" : "live")
                        + " submissions: nothing would be uploaded)");
                return 0;
            }
            template = integration.templateFor(submission.kind(), submission.test());
            if (template == null || template.isBlank()) {
                out.println("(integration " + integrationId + " does not upload combined PDFs: nothing would be uploaded)");
                return 0;
            }
        }
        PathTemplateRenderer renderer = new PathTemplateRenderer();
        try {
            PathTemplate parsed = renderer.parse(template);
            PathTemplateValidator.Findings findings = PathTemplateValidator.check(parsed, submission.kind());
            if (!findings.valid()) {
                err.println("The template is refused: " + String.join("; ", findings.errors()));
                return 1;
            }
            findings.warnings().forEach(w -> err.println("Warning: " + w));
            Instant now = Instant.now();
            out.println(renderer.render(parsed, submission, now));
            if (integration != null) {
                describeUpload(integration, renderer, submission, now);
            }
            return 0;
        } catch (InvalidKeyException e) {
            err.println("The upload would fail: " + e.getMessage());
            return 1;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // the renderer turns a template's own failures into the reason above; anything else is still one line
            err.println("The template cannot be previewed: " + e);
            return 1;
        }
    }

    /**
     * After the key, what else the upload would carry, one line each: the role the relay assumes, the tags as this
     * message renders them, and the object options. Nothing for an integration with keys and S3's defaults.
     */
    private void describeUpload(Integration integration, PathTemplateRenderer renderer, Submission submission, Instant now) {
        if (integration.assumesRole()) {
            out.println("role_arn: " + integration.role().roleArn() + " (session " + integration.role().sessionName() + ")");
        }
        for (var tag : integration.objectOptions().tags().entrySet()) {
            PathTemplate value = renderer.parse(tag.getValue());
            PathTemplateValidator.Findings findings = PathTemplateValidator.check(value, submission.kind());
            if (!findings.valid()) {
                throw new InvalidKeyException("tags." + tag.getKey() + ": " + String.join("; ", findings.errors()));
            }
            String query = ObjectTagging.render(renderer, Map.of(tag.getKey(), value), submission, () -> now);
            out.println("tag " + tag.getKey() + ": " + URLDecoder.decode(query.substring(query.indexOf('=') + 1),
                    StandardCharsets.UTF_8));
        }
        integration.objectOptions().describe().forEach(out::println);
    }

    private int usage(String problem) {
        err.println(problem);
        err.println(USAGE);
        return ExplainedFailure.USAGE;
    }
}
