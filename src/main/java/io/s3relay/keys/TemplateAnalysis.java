package io.s3relay.keys;

import java.util.LinkedHashSet;
import java.util.Set;

import liqp.Template;
import liqp.org.antlr.v4.runtime.tree.ParseTree;
import liquid.parser.v4.LiquidParser;

/**
 * What a parsed template refers to: the root names it looks up ({@code submission_id}, {@code metadata}...),
 * the names it declares itself (assign, capture, for), and whether it tries to include a file.
 */
record TemplateAnalysis(Set<String> lookups, Set<String> declared, boolean includes) {

    static TemplateAnalysis of(Template template) {
        Set<String> lookups = new LinkedHashSet<>();
        Set<String> declared = new LinkedHashSet<>();
        boolean[] includes = {false};
        walk(template.getParseTree(), lookups, declared, includes);
        return new TemplateAnalysis(lookups, declared, includes[0]);
    }

    /** Looked-up names that are neither declared by the template nor Liquid's own loop objects. */
    Set<String> undeclaredLookups() {
        Set<String> names = new LinkedHashSet<>(lookups);
        names.removeAll(declared);
        names.remove("forloop");
        names.remove("tablerowloop");
        return names;
    }

    private static void walk(ParseTree node, Set<String> lookups, Set<String> declared, boolean[] includes) {
        if (node instanceof LiquidParser.Lookup_id_indexesContext lookup && lookup.id() != null) {
            lookups.add(lookup.id().getText());
        } else if (node instanceof LiquidParser.AssignmentContext assign && assign.id() != null) {
            declared.add(assign.id().getText());
        } else if (node instanceof LiquidParser.Capture_tag_IdContext capture && capture.id() != null) {
            declared.add(capture.id().getText());
        } else if (node instanceof LiquidParser.For_arrayContext loop && loop.id() != null) {
            declared.add(loop.id().getText());
        } else if (node instanceof LiquidParser.For_rangeContext loop && loop.id() != null) {
            declared.add(loop.id().getText());
        } else if (node instanceof LiquidParser.Include_tagContext || node instanceof LiquidParser.Include_relative_tagContext) {
            includes[0] = true;
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            walk(node.getChild(i), lookups, declared, includes);
        }
    }
}
