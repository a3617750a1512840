package io.s3relay.keys;

import java.util.Set;

import liqp.Template;
import liqp.TemplateParser;

/**
 * A parsed path template, parsed once per configuration and rendered for every upload.
 * <p>
 * A liqp {@link Template} is not safe to render from two threads at once: concurrent renders of one instance
 * mix up their variables (another submission's key comes out). Each rendering thread therefore gets its own
 * parse of the template, made on its first use.
 */
public final class PathTemplate {

    private final String source;
    private final TemplateAnalysis analysis;
    private final ThreadLocal<Template> perThread;
    private final Set<String> variablesRead;

    PathTemplate(String source, Template parsed, TemplateParser parser) {
        this.source = source;
        this.analysis = TemplateAnalysis.of(parsed);
        this.variablesRead = analysis.dynamicLookups() ? PathVariables.ALL : Set.copyOf(analysis.lookups());
        this.perThread = ThreadLocal.withInitial(() -> parser.parse(source));
    }

    public String source() {
        return source;
    }

    /** What the parse made when the configuration was loaded refers to, for the checks. */
    TemplateAnalysis analysis() {
        return analysis;
    }

    /**
     * The root variables a render may read, so that only those are built for each key: the names the template
     * looks up, or every variable when it may look one up by a name it does not spell out.
     */
    Set<String> variablesRead() {
        return variablesRead;
    }

    /** This thread's own copy, for rendering. */
    Template forRendering() {
        return perThread.get();
    }

    @Override
    public String toString() {
        return source;
    }
}
