package io.s3relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No two packages of the relay depend on each other, directly or through others: each package can be read with
 * only the ones below it in mind. A package is a directory of src/main/java/io/s3relay; it depends on another when
 * one of its sources imports, or names in code, a class of the other.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/s3relay");
    /** A class of the relay named in an import or in code: its package is what comes before the capital. */
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.s3relay((?:\\.[a-z]\\w*)*)\\.[A-Z]");

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Map<String, Set<String>> dependencies = dependencies();
        assertThat(dependencies).as("packages read from " + SOURCES).containsKeys("io.s3relay", "io.s3relay.upload");
        assertThat(cycles(dependencies)).as("package cycles; dependencies: " + dependencies).isEmpty();
    }

    @Test
    void findsACycleWhenThereIsOne() {
        // the check itself must be able to fail
        Map<String, Set<String>> withCycle = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertThat(cycles(withCycle)).containsExactly(List.of("a", "b", "c", "a"));
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
    }

    /** Package to the other packages of the relay it depends on. */
    private static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> dependencies = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = packageOf(file);
                Set<String> to = dependencies.computeIfAbsent(from, p -> new TreeSet<>());
                for (String line : Files.readAllLines(file)) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                        continue;
                    }
                    Matcher m = REFERENCE.matcher(code);
                    while (m.find()) {
                        String target = "io.s3relay" + m.group(1);
                        if (!target.equals(from)) {
                            to.add(target);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dependencies;
    }

    private static String packageOf(Path file) {
        Path dir = SOURCES.relativize(file.getParent());
        return dir.toString().isEmpty() ? "io.s3relay" : "io.s3relay." + dir.toString().replace(file.getFileSystem().getSeparator(), ".");
    }

    /** One path for each cycle found by a depth-first walk, from the package where it closes back to it. */
    static List<List<String>> cycles(Map<String, Set<String>> dependencies) {
        List<List<String>> cycles = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : new TreeSet<>(dependencies.keySet())) {
            walk(start, dependencies, new ArrayDeque<>(), done, cycles);
        }
        return cycles;
    }

    private static void walk(String node, Map<String, Set<String>> dependencies, Deque<String> path, Set<String> done,
                             List<List<String>> cycles) {
        if (path.contains(node)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (var it = path.descendingIterator(); it.hasNext(); ) {
                String p = it.next();
                in |= p.equals(node);
                if (in) {
                    cycle.add(p);
                }
            }
            cycle.add(node);
            cycles.add(cycle);
            return;
        }
        if (done.contains(node)) {
            return;
        }
        path.push(node);
        for (String next : new TreeSet<>(dependencies.getOrDefault(node, Set.of()))) {
            walk(next, dependencies, path, done, cycles);
        }
        path.pop();
        done.add(node);
    }
}
