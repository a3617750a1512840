package io.s3relay.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the defaults benchmark prints at its end: the table's rows (per row, each system's figures) and the cold
 * ratios of both orders.
 */
record ResultsTable(Map<String, Map<String, DrainFigures>> rows, List<String> coldBothOrders) {

    void add(String row, DrainFigures figures) {
        rows.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(figures.system(), figures);
    }

    /** The markdown table: per row, each system's figures and the ratios relay / reference last. */
    String markdown(String reference) {
        StringBuilder out = new StringBuilder("| scenario | relay (README launch, defaults) | " + reference + " | relay / " + reference
                + " |\n|---|---|---|---|\n");
        rows.forEach((row, systems) -> {
            DrainFigures relay = systems.get(DefaultsBenchmark.RELAY);
            DrainFigures hand = systems.get(reference);
            String ratios = relay == null || hand == null ? "" : relay.tenant() != null
                    ? String.format(Locale.ROOT, "tenant p50 %.2f, p99 %.2f; uploads/s %.2f", ratio(relay.tenant().p50(), hand.tenant().p50()),
                    ratio(relay.tenant().p99(), hand.tenant().p99()), relay.uploadsPerSecond() / hand.uploadsPerSecond())
                    : String.format(Locale.ROOT, "**%.2f** uploads/s; CPU %.2f", relay.uploadsPerSecond() / hand.uploadsPerSecond(),
                    relay.cpuSeconds() / hand.cpuSeconds());
            out.append("| ").append(row).append(" | ").append(cell(relay)).append(" | ").append(cell(hand)).append(" | ")
                    .append(ratios).append(" |\n");
        });
        return out.toString();
    }

    /** a / b, NaN for b = 0. */
    static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    private static String cell(DrainFigures figures) {
        if (figures == null) {
            return "";
        }
        if (figures.tenant() != null) {
            return String.format(Locale.ROOT, "tenant p50 %,d / p99 %,d ms (%d submissions); backlog %.1f uploads/s, CPU %.1f s",
                    figures.tenant().p50(), figures.tenant().p99(), figures.tenant().submissions(), figures.uploadsPerSecond(),
                    figures.cpuSeconds());
        }
        return String.format(Locale.ROOT, "%.1f uploads/s, p50 %,d / p99 %,d ms, CPU %.1f s%s", figures.uploadsPerSecond(),
                figures.p50(), figures.p99(), figures.cpuSeconds(), figures.phase().startsWith("cold") ? ""
                        : String.format(Locale.ROOT, " (%s, JIT %.0f %%)", figures.phase(), 100 * figures.jitShare()));
    }
}
