package io.s3relay.keys;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import io.s3relay.submission.Submission;
import liqp.Template;
import liqp.TemplateParser;
import liqp.exceptions.ExceededMaxIterationsException;
import liqp.filters.Filter;
import liqp.parser.Flavor;

/**
 * Parses and renders the customers' Liquid path templates. A template is customer input: rendering is
 * bounded in loop iterations, output size, template size and time, and no template can include files.
 */
public class PathTemplateRenderer {

    private final TemplateParser parser;
    private final Limits limits;

    public PathTemplateRenderer(Limits limits) {
        this.limits = limits;
        TemplateParser.Builder builder = new TemplateParser.Builder()
                .withFlavor(Flavor.LIQUID)
                .withErrorMode(TemplateParser.ErrorMode.STRICT)
                .withLocale(Locale.ROOT)
                .withDefaultTimeZone(ZoneOffset.UTC)
                .withMaxIterations(limits.maxIterations())
                .withMaxSizeRenderedString(limits.maxRenderedChars())
                .withMaxTemplateSizeBytes(limits.maxTemplateBytes())
                // liqp's own render time limit starts a thread per render (a few thousand keys a second);
                // the render's contexts and the guarded filters check the deadline instead, on the rendering thread
                // {% include %} would read files on this machine: a customer template never may
                .withNameResolver(name -> {
                    throw new IOException("include is not allowed in path templates");
                });
        for (Filter filter : Flavor.LIQUID.getFilters().values()) {
            builder.withFilter(new GuardedFilter(filter, limits.maxRenderedChars()));
        }
        this.parser = builder.build();
    }

    public PathTemplateRenderer() {
        this(Limits.DEFAULTS);
    }

    /** @throws InvalidKeyException naming the problem when the template does not parse */
    public PathTemplate parse(String source) {
        if (source == null || source.isBlank()) {
            throw new InvalidKeyException("the path template is blank");
        }
        int bytes = source.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > limits.maxTemplateBytes()) {
            throw new InvalidKeyException("the path template is " + bytes + " bytes long; at most "
                    + limits.maxTemplateBytes() + " are allowed");
        }
        // checked before the parser, which recurses once per level
        TemplateNesting.check(source, limits.maxNesting(), limits.maxFilterChain());
        try {
            Template template = parser.parse(source);
            return new PathTemplate(source, template, parser);
        } catch (StackOverflowError e) {
            throw new InvalidKeyException("the path template nests too deeply to parse");
        } catch (RuntimeException e) {
            throw new InvalidKeyException("the path template does not parse: " + describe(e), e);
        }
    }

    /** Renders the normalised, checked object key of one upload. */
    public String render(PathTemplate template, Submission submission, Instant now) {
        return render(template, submission, () -> now);
    }

    /**
     * As above, with the time the submission was taken asked for only when the key needs it: a time variable, and
     * no {@code processed_at}.
     */
    public String render(PathTemplate template, Submission submission, Supplier<Instant> now) {
        return render(template, PathVariables.of(submission, now, template.variablesRead()));
    }

    public String render(PathTemplate template, Map<String, Object> variables) {
        return ObjectKeyRules.normalise(renderText(template, variables));
    }

    /** The text a template renders for a submission, under the same bounds, but not read as an object key. */
    public String renderText(PathTemplate template, Submission submission, Supplier<Instant> now) {
        return renderText(template, PathVariables.of(submission, now, template.variablesRead()));
    }

    private String renderText(PathTemplate template, Map<String, Object> variables) {
        String rendered;
        RenderBudget budget = new RenderBudget(limits.maxRenderMillis() * 1_000_000L, limits.maxBuiltChars());
        try {
            // under a context of ours: every lookup, loop iteration and block of the render checks its budget
            rendered = String.valueOf(template.forRendering()
                    .renderToObjectUnguarded(variables, new BoundedContext(parser, budget), true));
        } catch (RuntimeException e) {
            throw renderFailure(e);
        } catch (StackOverflowError e) {
            throw new InvalidKeyException("the path template nests too deeply to render");
        } catch (OutOfMemoryError e) {
            // what a render builds is bounded well below the heap, but a template that got past the bounds fails
            // its own upload rather than the relay
            throw new InvalidKeyException("the path template needs too much memory to render");
        }
        return rendered;
    }

    /** The customer-readable reason a render failed; liqp wraps what the filters throw. */
    private InvalidKeyException renderFailure(RuntimeException failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidKeyException invalid) {
                return invalid;
            }
            if (t instanceof ExceededMaxIterationsException) {
                return new InvalidKeyException("the path template loops more than " + limits.maxIterations() + " times", t);
            }
            if (t.getMessage() != null && t.getMessage().startsWith("rendered string exceeds")) {
                return new InvalidKeyException("the path template renders more than " + limits.maxRenderedChars()
                        + " characters", t);
            }
        }
        return new InvalidKeyException("the path template failed to render: " + describe(failure), failure);
    }

    static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message.strip();
    }

    /**
     * The protections applied to every customer template.
     *
     * @param maxRenderedChars the longest output, and the longest value a filter may produce
     * @param maxNesting       the deepest nesting of blocks, and of parentheses, brackets and and/or in one tag
     * @param maxFilterChain   the most filters in one tag or output
     * @param maxBuiltChars    the characters a render may build in all (filter results and block outputs)
     */
    public record Limits(int maxIterations, int maxRenderedChars, long maxTemplateBytes, long maxRenderMillis,
                         int maxNesting, int maxFilterChain, long maxBuiltChars) {
        public static final Limits DEFAULTS = new Limits(10_000, 16 * 1024, 8 * 1024, 1_000);

        public Limits(int maxIterations, int maxRenderedChars, long maxTemplateBytes, long maxRenderMillis) {
            this(maxIterations, maxRenderedChars, maxTemplateBytes, maxRenderMillis, 32, 64, 64L * maxRenderedChars);
        }
    }
}
