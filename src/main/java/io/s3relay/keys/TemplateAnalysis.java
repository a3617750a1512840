package io.s3relay.keys;

import java.util.LinkedHashSet;
import java.util.Set;

import liqp.Template;
import liqp.org.antlr.v4.runtime.tree.ParseTree;
import liquid.parser.v4.LiquidParser;

/**
 * What a parsed template refers to: the root names it looks up ({@code submission_id}, {@code metadata}...),
 * the names it declares itself (assign, capture, for), whether it tries to include a file, and whether it may
 * look up a name that is not written in it.
 */
record TemplateAnalysis(Set<String> lookups, Set<String> declared, boolean includes, boolean dynamicLookups) {

    static TemplateAnalysis of(Template template) {
        Set<String> lookups = new LinkedHashSet<>();
        Set<String> declared = new LinkedHashSet<>();
        boolean[] flags = {false, false};
        walk(template.getParseTree(), lookups, declared, flags);
        return new TemplateAnalysis(lookups, declared, flags[0], flags[1]);
    }

    /** Looked-up names that are neither declared by the template nor Liquid's own loop objects. */
    Set<String> undeclaredLookups() {
        Set<String> names = new LinkedHashSet<>(lookups);
        names.removeAll(declared);
        names.remove("forloop");
        names.remove("tablerowloop");
        return names;
    }

    /** flags[0]: includes a file; flags[1]: may read a variable by a name that {@link #lookups} cannot list. */
    private static void walk(ParseTree node, Set<String> lookups, Set<String> declared, boolean[] flags) {
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
            flags[0] = true;
            flags[1] = true;
        } else if (node instanceof LiquidParser.Lookup_StrContext || node instanceof LiquidParser.Lookup_IdContext
                || node instanceof LiquidParser.Lookup_id_indexesContext
                || node instanceof LiquidParser.Simple_tagContext || node instanceof LiquidParser.Other_tagContext) {
            // ['name'] and [name] look a root variable up by a string; the tags of these two rules read their
            // parameters in their own way
            flags[1] = true;
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            walk(node.getChild(i), lookups, declared, flags);
        }
    }
}
