package io.s3relay.keys;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;

import io.s3relay.submission.Submission;
import liqp.Template;
import liqp.TemplateParser;
import liqp.parser.Flavor;

/**
 * Parses and renders the customers' Liquid path templates. A template is customer input: rendering is
 * bounded in loop iterations, output size, template size and time, and no template can include files.
 */
public class PathTemplateRenderer {

    private final TemplateParser parser;

    public PathTemplateRenderer(Limits limits) {
        this.parser = new TemplateParser.Builder()
                .withFlavor(Flavor.LIQUID)
                .withErrorMode(TemplateParser.ErrorMode.STRICT)
                .withLocale(Locale.ROOT)
                .withDefaultTimeZone(ZoneOffset.UTC)
                .withMaxIterations(limits.maxIterations())
                .withMaxSizeRenderedString(limits.maxRenderedChars())
                .withMaxTemplateSizeBytes(limits.maxTemplateBytes())
                .withMaxRenderTimeMillis(limits.maxRenderMillis())
                // {% include %} would read files on this machine: a customer template never may
                .withNameResolver(name -> {
                    throw new IOException("include is not allowed in path templates");
                })
                .build();
    }

    public PathTemplateRenderer() {
        this(Limits.DEFAULTS);
    }

    /** @throws InvalidKeyException naming the problem when the template does not parse */
    public PathTemplate parse(String source) {
        if (source == null || source.isBlank()) {
            throw new InvalidKeyException("the path template is blank");
        }
        try {
            Template template = parser.parse(source);
            return new PathTemplate(source, template);
        } catch (RuntimeException e) {
            throw new InvalidKeyException("the path template does not parse: " + describe(e), e);
        }
    }

    /** Renders the normalised, checked object key of one upload. */
    public String render(PathTemplate template, Submission submission, Instant now) {
        return render(template, PathVariables.of(submission, now));
    }

    public String render(PathTemplate template, Map<String, Object> variables) {
        String rendered;
        try {
            rendered = template.template().render(variables);
        } catch (RuntimeException e) {
            throw new InvalidKeyException("the path template failed to render: " + describe(e), e);
        }
        return ObjectKeyRules.normalise(rendered);
    }

    static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause
                && (cause.getMessage() == null || cause instanceof java.util.concurrent.ExecutionException)) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message.strip();
    }

    /** The protections applied to every customer template. */
    public record Limits(int maxIterations, int maxRenderedChars, long maxTemplateBytes, long maxRenderMillis) {
        public static final Limits DEFAULTS = new Limits(10_000, 16 * 1024, 8 * 1024, 1_000);
    }
}
