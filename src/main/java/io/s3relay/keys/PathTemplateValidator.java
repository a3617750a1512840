package io.s3relay.keys;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import io.s3relay.submission.SubmissionKind;

/**
 * Checks a parsed template against the variables of its kind when the configuration is loaded, so that a typo
 * such as {@code {{ submision_id }}} is reported to the operator at once, with the closest variable, instead of
 * silently rendering an empty folder later.
 */
public final class PathTemplateValidator {

    private PathTemplateValidator() {
    }

    /** What is wrong (errors) and what is risky (warnings) in one template. */
    public record Findings(List<String> errors, List<String> warnings) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public static Findings check(PathTemplate template, SubmissionKind kind) {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        TemplateAnalysis analysis = template.analysis();
        if (analysis.includes()) {
            errors.add("include is not allowed in path templates");
        }
        Set<String> known = PathVariables.namesFor(kind);
        for (String name : analysis.undeclaredLookups()) {
            if (!known.contains(name)) {
                String closest = closest(name, known);
                errors.add("unknown variable '" + name + "'" + (closest == null ? "" : " (did you mean '" + closest + "'?)")
                        + "; a " + kind.jsonField().replace('_', ' ') + " template may use " + String.join(", ", sorted(known)));
            }
        }
        if (!analysis.lookups().contains(kind.idVariable())) {
            warnings.add("the template does not use " + kind.idVariable() + ", so two PDFs can get the same key and the"
                    + " second overwrites the first");
        }
        return new Findings(errors, warnings);
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().map(n -> n.equals("metadata") ? "metadata.<key>" : n).toList();
    }

    /** The known name closest to a typo, when it is close enough to be what was meant. */
    static String closest(String name, Set<String> known) {
        return known.stream()
                .min(Comparator.comparingInt((String k) -> distance(name, k)).thenComparing(k -> k))
                .filter(k -> distance(name, k) <= Math.max(2, k.length() / 3))
                .orElse(null);
    }

    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
