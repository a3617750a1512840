package io.s3relay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What a benchmark run's statuses and logs show beyond its figures: other states, duplicates, warnings, errors. */
final class Oddities {

    private static final Pattern LOG_LEVEL = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d[ T][\\d:,.]+\\s+(WARN|ERROR)\\s+(.*)$");

    private final Path project;
    private final List<String> found = new ArrayList<>();

    Oddities(Path project) {
        this.project = project;
    }

    /** Records, and prints, what one system's run shows beyond its figures. */
    void notice(String system, Path log, RunStatuses statuses) throws IOException {
        int duplicates = statuses.drains.stream().mapToInt(d -> d.duplicates.get()).sum();
        List<String> odd = new ArrayList<>();
        if (duplicates > 0) {
            odd.add(duplicates + " processed statuses repeated");
        }
        if (statuses.unknown.get() > 0) {
            odd.add(statuses.unknown.get() + " processed statuses of unknown submissions");
        }
        statuses.otherStates.forEach((state, count) -> odd.add(count.get() + " statuses '" + state + "'"));
        Map<String, Integer> messages = new LinkedHashMap<>();
        int warnings = 0;
        int errors = 0;
        for (String line : Files.readAllLines(log)) {
            Matcher level = LOG_LEVEL.matcher(line);
            if (level.matches()) {
                if (level.group(1).equals("WARN")) {
                    warnings++;
                } else {
                    errors++;
                }
                String message = level.group(2).replaceAll("\\d+", "N");
                messages.merge(message.length() > 180 ? message.substring(0, 180) + "..." : message, 1, Integer::sum);
            }
        }
        if (warnings + errors > 0) {
            odd.add(warnings + " WARN and " + errors + " ERROR log lines: " + messages.entrySet().stream().limit(3)
                    .map(e -> e.getValue() + "× " + e.getKey()).collect(Collectors.joining(" | ")));
        }
        if (!odd.isEmpty()) {
            String line = system + " (" + project.relativize(log) + "): " + String.join("; ", odd);
            found.add(line);
            System.out.println("  noticed: " + line);
        }
    }

    /** Prints all that was noticed, if anything. */
    void print() {
        if (!found.isEmpty()) {
            System.out.println("Noticed:");
            found.forEach(odd -> System.out.println("  " + odd));
        }
    }
}
