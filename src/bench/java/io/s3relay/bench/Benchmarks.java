package io.s3relay.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one entry point of the benchmarks: {@code mvn -B -Pbench -DskipTests package exec:exec -Dbench=NAME
 * -Dbench.args="..."} (docs/performance.md). The arguments are split on spaces: {@code key=value} becomes the system
 * property {@code bench.key} the benchmark reads, anything else is passed on to it as an argument.
 */
public final class Benchmarks {

    /** What each name runs, and what it measures. */
    private static final Map<String, String> WHAT = new LinkedHashMap<>();

    static {
        WHAT.put("defaults", "java -jar with the defaults against the hand-written consumer, cold and warm");
        WHAT.put("throughput", "both systems warmed up for minutes in -Xmx512m JVMs");
        WHAT.put("scaleout", "one relay process, then two on the same queues");
        WHAT.put("memory", "the relay's heap with a 1 GiB PDF and with 10,000 small submissions");
        WHAT.put("jmh", "JMH micro-benchmarks (key rendering)");
    }

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 && !args[0].isBlank() ? args[0] : "defaults";
        List<String> passed = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            for (String word : args[i].trim().split("\\s+")) {
                int equals = word.indexOf('=');
                if (word.isEmpty()) {
                    continue;
                } else if (equals > 0 && !word.startsWith("-")) {
                    System.setProperty("bench." + word.substring(0, equals), word.substring(equals + 1));
                } else {
                    passed.add(word);
                }
            }
        }
        String[] rest = passed.toArray(String[]::new);
        switch (name) {
            case "defaults" -> DefaultsBenchmark.main(rest);
            case "throughput" -> RelayVsCeilingBenchmark.main(rest);
            case "scaleout" -> ScaleOutBenchmark.main(rest);
            case "memory" -> MemoryBenchmark.main(rest);
            case "jmh" -> jmh(passed);
            default -> {
                System.err.println("No benchmark " + name + "; -Dbench= one of:");
                WHAT.forEach((known, what) -> System.err.printf("  %-10s %s%n", known, what));
                System.exit(2);
            }
        }
    }

    /** JMH in a forked JVM, one thread, short rounds; the arguments (a name pattern, JMH options) override them. */
    private static void jmh(List<String> passed) throws Exception {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("-f", "1");
        defaults.put("-wi", "3");
        defaults.put("-w", "2s");
        defaults.put("-i", "5");
        defaults.put("-r", "2s");
        defaults.put("-t", "1");
        List<String> options = new ArrayList<>();
        defaults.forEach((option, value) -> {
            if (!passed.contains(option)) {
                options.add(option);
                options.add(value);
            }
        });
        options.addAll(passed);
        org.openjdk.jmh.Main.main(options.toArray(String[]::new));
    }
}
