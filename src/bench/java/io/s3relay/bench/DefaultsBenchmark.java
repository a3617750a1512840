package io.s3relay.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageListener;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.broker.region.Destination;
import org.apache.activemq.broker.region.DestinationFilter;
import org.apache.activemq.broker.region.Queue;
import org.apache.activemq.command.ActiveMQQueue;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * What users run, cold and warm: the packaged relay started as the README and the Dockerfile start it ({@code java
 * -jar target/s3-relay.jar}, with their JVM options, read by {@link UserLaunch}: none today) and every setting at its
 * default, against the hand-written consumer ({@link HandWrittenCeilings}' {@code ceiling+pending}: 8 transacted
 * JMS consumers with prefetch 10, a pending status before each PutObject and a processed one after) started the same
 * way, in a JVM of its own with no options. Or, with {@code systems=relay,relay-b}, against the relay itself with
 * {@code b-options} (JVM options) or {@code b-settings} (environment settings) added to its launch: an A/B comparison
 * of a setting in the same paired rounds, and with neither an A/A run, whose ratios show how far the benchmark itself
 * spreads.
 *
 * <p>The broker (embedded, persistent) and the S3 server (s3proxy, objects on disk) run in this JVM and are warmed up
 * before anything is measured: they stand for the long-running services a relay connects to. The relay is only
 * pointed at them, through the environment variables a user sets: the broker URL, the integrations file, a data
 * directory, the queue names (each run has queues of its own) and {@code S3RELAY_LOCAL_S3_ENABLED=false} (a relay pointed at real buckets does not start the local store of the
 * default run, as deploy/kubernetes/relay.yaml says too); and a free management port as {@code -Dcamel.management.port}, the one
 * setting the relay does not take from its environment variable. The PDF lies in {@code <data dir>/samples}, the default
 * {@code s3relay.source.file-root}.
 *
 * <p>Scenarios: a backlog of N submissions queued before the system's JVM starts, measured from the JVM's launch to
 * the last processed status (cold; the system measured second drains while the first one's JVM waits, and each line
 * says what that waiting JVM took); then, in the same JVMs, warm rounds in turns, each system's until its JIT
 * compiler settles (its share of the round's CPU, from the compiler threads' /proc entries), and then paired rounds
 * in turns, of which the pair with the median relay / hand-written ratio counts: a machine whose speed drifts by
 * tens of percent within minutes then slows both sides of a ratio alike. In each round the broker holds the queue's
 * dispatch while the next backlog is queued, and the drain is measured from the moment it lets go. Each backlog
 * submission's latency counts from the launch (cold) or that moment (warm). And a second tenant: while a cold system drains one
 * account's backlog, another account with an integration of its own sends a submission every 250 ms; its latency
 * counts from each send. CPU is the system process's, read from /proc/&lt;pid&gt;/stat (user + system time of all
 * its threads) for both systems alike. Not a test: run it with -Pbench (docs/performance.md).
 */
public final class DefaultsBenchmark {

    static final String RELAY = "relay";
    static final String HAND_WRITTEN = "hand-written";
    /**
     * The relay again, in a JVM of its own, with {@code b-options} and {@code b-settings} added to its launch: an A/B
     * (or, with neither, A/A) run.
     */
    static final String RELAY_B = "relay-b";
    private static final int CONCURRENCY = 8;
    private static final int PREFETCH = 10;
    private static final int PDF_BYTES = 100 * 1024;
    private static final long TENANT_INTERVAL_MILLIS = 250;
    /** A drain fails when no submission completes for this long (a relay that is stuck, or died). */
    private static final long STALL_SECONDS = 180;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final com.sun.management.OperatingSystemMXBean SERVERS_CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final Pattern LOG_LEVEL = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d[ T][\\d:,.]+\\s+(WARN|ERROR)\\s+(.*)$");

    private final Path project = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private final Path jar = project.resolve("target/s3-relay.jar");
    private final Path logs = project.resolve("target/defaults-bench");
    private final UserLaunch launch;
    /** b-options: what {@link #RELAY_B}'s launch adds to the relay's, comma-separated JVM options */
    private final List<String> bOptions = words(System.getProperty("bench.b-options", ""));
    /**
     * b-settings: environment settings of {@link #RELAY_B} alone, comma-separated {@code S3RELAY_NAME=value}; they
     * win over the benchmark's own (the environment wins over system properties), and {@code <broker>} in a value
     * stands for the benchmark broker's URL
     */
    private final List<String> bSettings = words(System.getProperty("bench.b-settings", ""));
    private final long clockTicks;
    private final BenchServers servers;
    private final Path dir;
    private final EmbeddedBroker broker;
    private final BlobStore objects;
    private final LocalS3Store s3;
    private final Connection connection;
    private final byte[] pdf = new byte[PDF_BYTES];
    private final List<String> oddities = new ArrayList<>();
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private int run;

    private DefaultsBenchmark() throws Exception {
        if (!Files.isRegularFile(jar) || !Files.isDirectory(project.resolve("target/lib"))) {
            throw new IllegalStateException(jar + " and target/lib are missing: run `mvn -B -Pbench -DskipTests package exec:exec`");
        }
        launch = UserLaunch.read(project);
        clockTicks = clockTicks();
        new Random(7).nextBytes(pdf);
        if (Files.isDirectory(logs)) {
            BenchRelays.deleteRecursively(logs);
        }
        Files.createDirectories(logs);
        servers = BenchServers.start("s3relay-defaults", store -> store);
        dir = servers.dir();
        broker = servers.broker();
        objects = servers.objects();
        s3 = servers.s3();
        connection = servers.connection();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> running.forEach(Process::destroyForcibly)));
    }

    /** One backlog scenario; {@code tenant}: the second tenant's latency during its cold drain instead of warm rounds. */
    record Scenario(int backlog, int integrations, boolean tenant) {
        String title() {
            return String.format(Locale.ROOT, "%,d × %d integration%s", backlog, integrations, integrations == 1 ? "" : "s");
        }

        int uploads() {
            return backlog * integrations;
        }
    }

    /** A second tenant's figures: its submissions during the drain and their latency from send to processed. */
    record Tenant(int submissions, long p50, long p99) {
    }

    /** One measured drain of one system. */
    record Figures(String system, String phase, int uploads, double seconds, double firstProcessedSeconds, long p50,
                   long p99, double cpuSeconds, double serversCpuSeconds, long rssPeakMb, Tenant tenant, double othersCpuSeconds,
                   String load, double jitCpuSeconds) {
        double uploadsPerSecond() {
            return uploads / seconds;
        }

        /** The JIT compiler's part of the system's CPU in this round. */
        double jitShare() {
            return cpuSeconds == 0 ? 0 : jitCpuSeconds / cpuSeconds;
        }

        @Override
        public String toString() {
            return toString("");
        }

        /** The drain's line ending in {@code suffix}, then the second tenant's line if there was one. */
        String toString(String suffix) {
            String line = String.format(Locale.ROOT, "%-12s %-7s %,7d uploads in %6.1f s = %6.1f uploads/s  first processed"
                            + " %5.1f s  p50 %,7d ms  p99 %,7d ms  cpu %5.1f s (%.2f ms/upload, JIT %2.0f %%)  servers cpu %5.1f s"
                            + "  rss peak %,5d MiB  other processes' cpu %5.1f s, load %s", system, phase, uploads, seconds,
                    uploadsPerSecond(), firstProcessedSeconds, p50, p99, cpuSeconds, cpuSeconds * 1000 / uploads,
                    100 * jitShare(), serversCpuSeconds, rssPeakMb, othersCpuSeconds, load) + suffix;
            return tenant == null ? line : line + String.format(Locale.ROOT, "%n%-12s second tenant: %d submissions, p50 %,d ms,"
                    + " p99 %,d ms", "", tenant.submissions(), tenant.p50(), tenant.p99());
        }
    }

    public static void main(String[] args) {
        try {
            run();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * How a scenario is measured: the warm rule (a system is warm in the first round after it drained at least
     * {@code warmAfter} submissions in which its JIT compiler took at most {@code warmJitShare} of its CPU, or in the
     * round that brings its warm uploads to {@code warmMaxUploads}: on 2 cores the relay's CPU per upload halves again
     * after 10,000 submissions, while C2 still compiles, and a long-running relay runs at the settled cost), the
     * paired rounds after it (relay and reference one after the other, of which the median pair counts), and the
     * cold drains (the second in fresh JVMs and the other order, after the warm rounds, so that the machine's drift
     * and whatever favours the system launched second weigh on both systems alike).
     */
    record Rules(int warmAfter, double warmJitShare, int warmMaxUploads, int warmPairs, int coldDrains) {
        static Rules fromProperties() {
            return new Rules(Integer.getInteger("bench.warm-after", 4000),
                    Double.parseDouble(System.getProperty("bench.warm-jit-share", "0.05")),
                    Integer.getInteger("bench.warm-max-uploads", 40_000), Integer.getInteger("bench.warm-pairs", 3),
                    Integer.getInteger("bench.cold-drains", 2));
        }

        /** The warm rounds that come before any can count: until the JVM drained {@code warmAfter} submissions; at least one. */
        int warmRounds(Scenario scenario) {
            return Math.max(1, (warmAfter + scenario.backlog() - 1) / scenario.backlog());
        }

        int warmMaxRounds(Scenario scenario) {
            return Math.max(warmRounds(scenario), (warmMaxUploads + scenario.uploads() - 1) / scenario.uploads());
        }

        boolean secondColdDrain(Scenario scenario) {
            return coldDrains > 1 && !scenario.tenant();
        }
    }

    /** What the run prints at its end: the table's rows (per row, each system's figures) and the cold ratios of both orders. */
    record Results(Map<String, Map<String, Figures>> rows, List<String> coldBothOrders) {
        void add(String row, Figures figures) {
            rows.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(figures.system(), figures);
        }
    }

    private static void run() throws Exception {
        long wallStart = System.nanoTime();
        List<Integer> backlogs = ints(System.getProperty("bench.backlogs", "2000,10000"));
        List<Integer> integrations = ints(System.getProperty("bench.integrations", "1,3"));
        Set<String> kinds = new LinkedHashSet<>(words(System.getProperty("bench.scenarios", "cold-warm,tenant")));
        Rules rules = Rules.fromProperties();
        int tenantBacklog = Integer.getInteger("bench.tenant-backlog", 10_000);
        List<String> systems = words(System.getProperty("bench.systems", HAND_WRITTEN + "," + RELAY));
        for (String kind : kinds) {
            if (!kind.equals("cold-warm") && !kind.equals("tenant")) {
                throw new IllegalArgumentException("unknown scenario " + kind + " (cold-warm, tenant)");
            }
        }
        for (String system : systems) {
            if (!system.equals(RELAY) && !system.equals(HAND_WRITTEN) && !system.equals(RELAY_B)) {
                throw new IllegalArgumentException("unknown system " + system + " (" + RELAY + ", " + HAND_WRITTEN + ", " + RELAY_B + ")");
            }
        }
        if (systems.contains(HAND_WRITTEN) && systems.contains(RELAY_B)) {
            throw new IllegalArgumentException("the relay is compared with one system at a time: " + HAND_WRITTEN + " or " + RELAY_B);
        }
        // what the relay is compared with: the hand-written consumer, or the relay with other launch options
        String reference = systems.contains(RELAY_B) ? RELAY_B : HAND_WRITTEN;
        List<Scenario> scenarios = new ArrayList<>();
        if (kinds.contains("cold-warm")) {
            for (int backlog : backlogs) {
                for (int count : integrations) {
                    scenarios.add(new Scenario(backlog, count, false));
                }
            }
        }
        if (kinds.contains("tenant")) {
            scenarios.add(new Scenario(tenantBacklog, 1, true));
        }

        DefaultsBenchmark bench = new DefaultsBenchmark();
        bench.printHeader(reference, rules);
        bench.warmUpServers();
        Results results = new Results(new LinkedHashMap<>(), new ArrayList<>());
        try {
            for (int i = 0; i < scenarios.size(); i++) {
                // the order alternates from one scenario to the next
                List<String> order = new ArrayList<>(systems);
                if (i % 2 == 1) {
                    Collections.reverse(order);
                }
                bench.measure(scenarios.get(i), order, reference, rules, results);
            }
        } finally {
            bench.servers.close();
        }

        System.out.printf("%n%s%n", table(results.rows(), reference));
        if (!results.coldBothOrders().isEmpty()) {
            System.out.println("relay / " + reference + ", the geometric mean of the cold drains' ratios in both orders:");
            results.coldBothOrders().forEach(line -> System.out.println("  " + line));
        }
        if (!bench.oddities.isEmpty()) {
            System.out.println("Noticed:");
            bench.oddities.forEach(odd -> System.out.println("  " + odd));
        }
        System.out.printf(Locale.ROOT, "%nwall time %.1f min; load average %s; logs in %s%n",
                (System.nanoTime() - wallStart) / 60e9, loadAverage(), bench.project.relativize(bench.logs));
    }

    private void printHeader(String reference, Rules rules) {
        System.out.printf(Locale.ROOT, "machine: %d cores, load average %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                loadAverage(), System.getProperty("java.version"));
        if (!System.getProperty("bench.relay-settings", "").isBlank()) {
            System.out.println("NOT THE DEFAULTS: the relay runs with " + System.getProperty("bench.relay-settings"));
        }
        System.out.printf("relay: java %s-Dcamel.management.port=<free port> -jar %s, every other setting at its default but"
                        + " the environment's S3RELAY_BROKER_URL, _INTEGRATIONS_FILE, _DATA_DIR, _QUEUE_*, _LOCAL_S3_ENABLED=false"
                        + " (launch options from the Dockerfile and README: %s)%n",
                launch.jvmOptions().isEmpty() ? "" : String.join(" ", launch.jvmOptions()) + " ",
                project.relativize(jar), launch);
        if (reference.equals(RELAY_B)) {
            System.out.printf("%s: the relay's launch as above%s%n", RELAY_B, bOptions.isEmpty() && bSettings.isEmpty()
                    ? ", nothing changed: the same relay twice, whose ratios are the benchmark's own noise"
                    : " with " + String.join(" ", Stream.concat(bOptions.stream(), bSettings.stream()).toList()) + " added");
        } else {
            System.out.printf("hand-written: java -cp <classpath> %s ceiling+pending, no JVM options, %d consumers, prefetch %d%n",
                    BenchProcess.class.getName(), CONCURRENCY, PREFETCH);
        }
        System.out.printf(Locale.ROOT, "broker and S3 server (objects on disk) in this JVM; 100 KiB PDF; warm = the first round"
                + " after the JVM drained at least %,d submissions in which its JIT compiler took at most %.0f %% of its CPU"
                + " (or the round that brings its warm uploads to %,d)%n", rules.warmAfter(), 100 * rules.warmJitShare(),
                rules.warmMaxUploads());
    }

    /**
     * One scenario, the systems launched in {@code order}: the cold drains, then (but with a second tenant) the warm
     * rounds and the paired ones in the same JVMs, then the cold drains again in fresh JVMs and the other order;
     * its ratios printed, its rows added to {@code results}.
     */
    private void measure(Scenario scenario, List<String> order, String reference, Rules rules, Results results) throws Exception {
        int warmRounds = rules.warmRounds(scenario);
        System.out.printf(Locale.ROOT, "%n%s%s%n", scenario.title(), scenario.tenant()
                ? ", cold, with a second tenant sending one submission every " + TENANT_INTERVAL_MILLIS + " ms"
                : ", cold then at least " + warmRounds + " warm round" + (warmRounds == 1 ? "" : "s")
                + ", until the JIT compiler settles");
        boolean secondColdDrain = rules.secondColdDrain(scenario);
        Map<String, SystemRun> runs = new LinkedHashMap<>();
        try {
            coldDrains(runs, order, scenario, secondColdDrain ? "cold 1" : "cold");
            if (!scenario.tenant()) {
                warmRounds(runs, scenario, rules);
            }
        } finally {
            closeAll(runs);
        }
        List<String> reversed = new ArrayList<>(order);
        Collections.reverse(reversed);
        Map<String, SystemRun> again = new LinkedHashMap<>();
        if (secondColdDrain) {
            try {
                coldDrains(again, reversed, scenario, "cold 2");
            } finally {
                closeAll(again);
            }
        }

        String coldRow = rowName(scenario, true, rules.warmPairs());
        for (String system : order) {
            results.add(coldRow + (secondColdDrain ? ", " + order.get(0) + " launched first" : ""), runs.get(system).cold);
        }
        if (secondColdDrain) {
            for (String system : order) {
                results.add(coldRow + ", " + reversed.get(0) + " launched first", again.get(system).cold);
            }
        }
        SystemRun relay = runs.get(RELAY);
        SystemRun hand = runs.get(reference);
        if (relay != null && hand != null) {
            printRatios(secondColdDrain ? "cold 1" : "cold", relay.cold, hand.cold);
            if (secondColdDrain) {
                Figures relay2 = again.get(RELAY).cold;
                Figures hand2 = again.get(reference).cold;
                printRatios("cold 2", relay2, hand2);
                // the geometric mean of the two orders' ratios: each order's advantage cancels out
                String both = String.format(Locale.ROOT, "cold, both orders: uploads/s %.2f, cpu %.2f",
                        Math.sqrt(relay.cold.uploadsPerSecond() / hand.cold.uploadsPerSecond()
                                * relay2.uploadsPerSecond() / hand2.uploadsPerSecond()),
                        Math.sqrt(relay.cold.cpuSeconds() / hand.cold.cpuSeconds() * relay2.cpuSeconds() / hand2.cpuSeconds()));
                System.out.println("  relay / " + reference + " " + both);
                results.coldBothOrders().add(scenario.title() + ", " + both);
            }
        }
        if (!scenario.tenant()) {
            warmResults(scenario, relay, hand, rules.warmPairs(), results);
        }
    }

    /**
     * Warm rounds in turns, each system until its JIT compiler settles; then paired rounds, in turns again, so that
     * both are measured in the same minute of a machine whose speed drifts.
     */
    private static void warmRounds(Map<String, SystemRun> runs, Scenario scenario, Rules rules) throws Exception {
        for (int round = 1; ; round++) {
            boolean any = false;
            for (SystemRun systemRun : turns(runs, round)) {
                if (!systemRun.settled(rules.warmRounds(scenario), rules.warmJitShare(), rules.warmMaxRounds(scenario))) {
                    double cpuBefore = systemsCpu(runs);
                    print(systemRun.warmRound("warm " + round), runs, cpuBefore);
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        for (int pair = 1; pair <= rules.warmPairs(); pair++) {
            for (SystemRun systemRun : turns(runs, pair)) {
                double cpuBefore = systemsCpu(runs);
                print(systemRun.warmRound("pair " + pair), runs, cpuBefore);
            }
        }
    }

    /** The paired rounds' ratios printed, and the median pair (or each system's settled round) added to the table. */
    private static void warmResults(Scenario scenario, SystemRun relay, SystemRun hand, int warmPairs, Results results) {
        List<Figures[]> pairs = pairs(relay, hand, warmPairs);
        if (relay != null && hand != null) {
            printRatios("settled", relay.settledRound(warmPairs), hand.settledRound(warmPairs));
            for (int pair = 0; pair < pairs.size(); pair++) {
                printRatios("pair " + (pair + 1), pairs.get(pair)[0], pairs.get(pair)[1]);
            }
        }
        Figures[] median = medianPair(pairs, relay, hand);
        for (Figures figures : median) {
            if (figures != null) {
                results.add(rowName(scenario, false, warmPairs), figures);
            }
        }
        if (median[0] != null && median[1] != null) {
            printRatios("median", median[0], median[1]);
        }
    }

    private static void printRatios(String label, Figures relay, Figures hand) {
        System.out.printf(Locale.ROOT, "  relay / %s %-7s uploads/s %.2f, cpu %.2f, p50 %.2f, p99 %.2f%s%n", hand.system(), label,
                relay.uploadsPerSecond() / hand.uploadsPerSecond(), relay.cpuSeconds() / hand.cpuSeconds(),
                ratio(relay.p50(), hand.p50()), ratio(relay.p99(), hand.p99()), relay.tenant() == null ? ""
                        : String.format(Locale.ROOT, "; second tenant p50 %.2f, p99 %.2f",
                        ratio(relay.tenant().p50(), hand.tenant().p50()), ratio(relay.tenant().p99(), hand.tenant().p99())));
    }

    /**
     * Each system in {@code order} launched into a cold backlog of the scenario and drained, kept in {@code runs}
     * (where the caller closes it): the ones launched before wait meanwhile.
     */
    private void coldDrains(Map<String, SystemRun> runs, List<String> order, Scenario scenario, String phase) throws Exception {
        for (String system : order) {
            double cpuBefore = systemsCpu(runs);
            SystemRun systemRun = new SystemRun(system, scenario);
            runs.put(system, systemRun);
            print(systemRun.cold(phase), runs, cpuBefore);
        }
    }

    private static void closeAll(Map<String, SystemRun> runs) throws Exception {
        for (SystemRun systemRun : runs.values()) {
            systemRun.close();
        }
    }

    /** The systems in turn for a round: the scenario's order in odd rounds, reversed in even ones. */
    private static List<SystemRun> turns(Map<String, SystemRun> runs, int round) {
        List<SystemRun> turns = new ArrayList<>(runs.values());
        if (round % 2 == 0) {
            Collections.reverse(turns);
        }
        return turns;
    }

    /** The CPU the systems' JVMs have used so far, together: less a drain's own, what the waiting one took meanwhile. */
    private static double systemsCpu(Map<String, SystemRun> runs) throws IOException {
        double cpu = 0;
        for (SystemRun systemRun : runs.values()) {
            cpu += systemRun.cpuSeconds();
        }
        return cpu;
    }

    /** Prints a drain, and what the other system's JVM, waiting meanwhile, took of the CPU. */
    private static void print(Figures figures, Map<String, SystemRun> runs, double cpuBefore) throws IOException {
        double waiting = systemsCpu(runs) - cpuBefore - figures.cpuSeconds();
        System.out.println("  " + figures.toString(runs.size() < 2 ? ""
                : String.format(Locale.ROOT, ", the other system's waiting JVM %.2f s", Math.max(0, waiting))));
    }

    /** The paired rounds after both settled: {relay's, the reference system's} each. */
    private static List<Figures[]> pairs(SystemRun relay, SystemRun hand, int pairs) {
        List<Figures[]> list = new ArrayList<>();
        for (int pair = pairs; pair >= 1; pair--) {
            list.add(new Figures[] {last(relay, pair), last(hand, pair)});
        }
        return list;
    }

    private static Figures last(SystemRun systemRun, int fromEnd) {
        return systemRun == null || systemRun.warm.size() < fromEnd ? null : systemRun.warm.get(systemRun.warm.size() - fromEnd);
    }

    /**
     * The pair whose relay / reference uploads/s is the median of the paired rounds (with one system measured,
     * its median round); without paired rounds, each system's settled round.
     */
    private static Figures[] medianPair(List<Figures[]> pairs, SystemRun relay, SystemRun hand) {
        if (pairs.isEmpty()) {
            return new Figures[] {relay == null ? null : relay.settledRound(0), hand == null ? null : hand.settledRound(0)};
        }
        List<Figures[]> sorted = new ArrayList<>(pairs);
        sorted.sort(java.util.Comparator.comparingDouble(pair -> pair[0] != null && pair[1] != null
                ? pair[0].uploadsPerSecond() / pair[1].uploadsPerSecond()
                : (pair[0] != null ? pair[0] : pair[1]).uploadsPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    private static String rowName(Scenario scenario, boolean cold, int warmPairs) {
        if (scenario.tenant()) {
            return String.format(Locale.ROOT, "second tenant, 1 submission / %d ms while %s drains, cold", TENANT_INTERVAL_MILLIS,
                    scenario.title());
        }
        return scenario.title() + (cold ? ", cold (from JVM launch)"
                : warmPairs > 0 ? ", warm (JIT settled; the median of paired rounds)" : ", warm (JIT settled)");
    }

    /** The markdown table: per row, each system's figures and the ratios relay / reference last. */
    private static String table(Map<String, Map<String, Figures>> rows, String reference) {
        StringBuilder out = new StringBuilder("| scenario | relay (README launch, defaults) | " + reference + " | relay / " + reference
                + " |\n|---|---|---|---|\n");
        rows.forEach((row, systems) -> {
            Figures relay = systems.get(RELAY);
            Figures hand = systems.get(reference);
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

    private static String cell(Figures figures) {
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

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    /**
     * The servers stand for long-running services: their code is compiled before the first cold system starts, so
     * that the system measured first does not pay for it. PutObjects of the PDF and transacted JMS round trips.
     */
    private void warmUpServers() throws Exception {
        int count = Integer.getInteger("bench.servers-warmup", 3000);
        long start = System.nanoTime();
        try (S3Client client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.endpoint()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret"))).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = "warmup/" + i + ".pdf";
                puts.add(pool.submit(() -> client.putObject(PutObjectRequest.builder().bucket("bench").key(key).build(),
                        RequestBody.fromBytes(pdf))));
            }
            for (var put : puts) {
                put.get();
            }
            pool.shutdown();
        }
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer producer = session.createProducer(session.createQueue("bench.defaults.warmup"));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        MessageConsumer consumer = session.createConsumer(session.createQueue("bench.defaults.warmup"));
        for (int i = 0; i < count; i += 10) {
            for (int j = 0; j < 10; j++) {
                producer.send(session.createTextMessage("{\"warmup\": " + (i + j) + "}"));
            }
            session.commit();
            for (int j = 0; j < 10; j++) {
                if (consumer.receive(10_000) == null) {
                    throw new IllegalStateException("a warm-up message did not come back");
                }
            }
            session.commit();
        }
        session.close();
        clearObjects();
        System.out.printf(Locale.ROOT, "servers warmed up: %d PutObjects and %d JMS messages sent and received in %.1f s%n", count, count,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * One system's JVM in one scenario, with queues of its own: its cold drain, then as many warm rounds as asked for,
     * in the same JVM, while the other system's JVM waits between its own rounds.
     */
    private final class SystemRun implements AutoCloseable {
        final String system;
        final Scenario scenario;
        final List<Figures> warm = new ArrayList<>();
        Figures cold;
        private final String name;
        private final String submissions;
        private final Path data;
        private final Path pdfFile;
        private final Path log;
        private final Statuses statuses = new Statuses();
        private final Session listening;
        private final MessageConsumer listener;
        private Launched jvm;

        SystemRun(String system, Scenario scenario) throws Exception {
            this.system = system;
            this.scenario = scenario;
            name = "bench.defaults." + system.replace("-", "") + "." + (++run);
            submissions = name + ".submissions";
            data = dir.resolve(name);
            Files.createDirectories(data.resolve("samples"));
            pdfFile = data.resolve("samples/bench.pdf");
            Files.write(pdfFile, pdf);
            log = logs.resolve(name + ".log");
            listening = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            listener = listening.createConsumer(listening.createQueue(name + ".actions"));
            listener.setMessageListener(statuses);
        }

        /** The backlog queued before the JVM starts, drained from its launch (with the second tenant, if asked). */
        Figures cold(String phase) throws Exception {
            Drain backlog = statuses.add(new Drain());
            queue(submissions, backlog, name + "_cold", scenario.backlog(), scenario.integrations(), pdfFile);
            Counters before = counters();
            jvm = system.equals(RELAY) ? launchRelay(name, data, submissions, name + ".actions", scenario, log, List.of(), List.of())
                    : system.equals(RELAY_B) ? launchRelay(name, data, submissions, name + ".actions", scenario, log, bOptions, bSettings)
                    : launchHandWritten(data, submissions, name + ".actions", scenario, log);
            backlog.allDroppedAt(jvm.launchNanos());
            Drain tenant = null;
            TenantSender sender = null;
            try {
                if (scenario.tenant()) {
                    tenant = statuses.add(new Drain());
                    sender = startTenant(submissions, name, pdfFile, tenant, backlog, scenario.backlog());
                }
                backlog.await(scenario.backlog(), jvm, system);
                Counters spent = counters().since(before);
                Tenant tenantFigures = null;
                if (tenant != null) {
                    int sent = sender.stop();
                    sender = null;
                    tenant.await(sent, jvm, system);
                    long[] sorted = tenant.sortedLatencies();
                    tenantFigures = new Tenant(sent, CompletionTracker.percentile(sorted, 50), CompletionTracker.percentile(sorted, 99));
                }
                clearObjects();
                cold = figures(phase, backlog, jvm.launchNanos(), spent, tenantFigures);
                return cold;
            } finally {
                if (sender != null) {
                    sender.executor().shutdownNow();
                }
            }
        }

        /** One warm round: the broker holds the queue while the backlog is queued, and lets go. */
        Figures warmRound(String phase) throws Exception {
            Queue queue = queue(submissions);
            queue.pauseDispatch();
            Drain round = statuses.add(new Drain());
            queue(submissions, round, name + "_" + phase.replace(" ", ""), scenario.backlog(), scenario.integrations(), pdfFile);
            Counters before = counters();
            long start = System.nanoTime();
            round.allDroppedAt(start);
            queue.resumeDispatch();
            round.await(scenario.backlog(), jvm, system);
            Figures figures = figures(phase, round, start, counters().since(before), null);
            warm.add(figures);
            clearObjects();
            return figures;
        }

        /**
         * Whether its warm rounds are done: at least {@code warmRounds}, the last with the JIT compiler at most
         * {@code warmJitShare} of its CPU (or {@code warmMaxRounds} of them).
         */
        boolean settled(int warmRounds, double warmJitShare, int warmMaxRounds) {
            return warm.size() >= warmRounds
                    && (warm.get(warm.size() - 1).jitShare() <= warmJitShare || warm.size() >= warmMaxRounds);
        }

        /** The round in which it settled: the last before the {@code pairs} paired rounds. */
        Figures settledRound(int pairs) {
            return warm.get(warm.size() - 1 - pairs);
        }

        /** The JVM's CPU so far (0 before it starts). */
        double cpuSeconds() throws IOException {
            return jvm == null ? 0 : jvm.cpuSeconds();
        }

        /** The CPU counters now: the JVM's (0 before it starts), its compiler threads', the servers', the machine's. */
        private Counters counters() throws IOException {
            return new Counters(cpuSeconds(), jvm == null ? 0 : jvm.jitCpuSeconds(), serversCpu(), machineCpu());
        }

        private Figures figures(String phase, Drain drain, long start, Counters spent, Tenant tenant) throws IOException {
            long[] sorted = drain.sortedLatencies();
            return new Figures(system, phase, scenario.uploads(), (drain.lastProcessed() - start) / 1e9,
                    (drain.firstProcessed() - start) / 1e9, CompletionTracker.percentile(sorted, 50),
                    CompletionTracker.percentile(sorted, 99), spent.system(), spent.servers(), jvm.rssPeakMb(), tenant,
                    spent.machine() - spent.system() - spent.servers(), loadAverage().split(" ")[0], spent.jit());
        }

        @Override
        public void close() throws Exception {
            if (jvm != null) {
                jvm.stop();
                running.remove(jvm.process());
            }
            listener.close();
            listening.close();
            BenchRelays.deleteRecursively(data);
            notice(system, name, log, statuses);
        }
    }

    /**
     * CPU seconds so far, or spent over a drain: the system's JVM, its JIT compiler's threads, this JVM (the broker and
     * the S3 server) and the whole machine (every process; less the other three, what other processes took).
     */
    record Counters(double system, double jit, double servers, double machine) {
        Counters since(Counters before) {
            return new Counters(system - before.system, jit - before.jit, servers - before.servers, machine - before.machine);
        }
    }

    /** Sends the second tenant's submissions, one every 250 ms from now until the backlog is drained. */
    private TenantSender startTenant(String submissions, String name, Path pdfFile, Drain tenant, Drain backlog,
                                     int backlogSize) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createQueue(submissions));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        executor.scheduleAtFixedRate(() -> {
            if (backlog.done() >= backlogSize) {
                return;
            }
            try {
                String id = String.format("sub_%s_other_%05d", name.replace('.', '_'), sent.get());
                tenant.add(id, 1, System.nanoTime());
                producer.send(session.createTextMessage(submission(id, "acc_other", pdfFile)));
                sent.incrementAndGet();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 0, TENANT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return new TenantSender(executor, session, sent);
    }

    /** The second tenant's sender; {@link #stop} returns how many it sent. */
    record TenantSender(ScheduledExecutorService executor, Session session, AtomicInteger sent) {
        int stop() throws Exception {
            executor.shutdown();
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the second tenant's sender did not stop");
            }
            session.close();
            return sent.get();
        }
    }

    /** Queues a backlog in transactions of 500 (its queueing is not measured). */
    private void queue(String submissions, Drain drain, String prefix, int count, int integrations, Path pdfFile) throws Exception {
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        MessageProducer producer = session.createProducer(session.createQueue(submissions));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        for (int i = 0; i < count; i++) {
            String id = String.format("sub_%s_%06d", prefix.replace('.', '_'), i);
            drain.add(id, integrations, 0);
            producer.send(session.createTextMessage(submission(id, "acc_bench", pdfFile)));
            if (i % 500 == 499) {
                session.commit();
            }
        }
        session.commit();
        session.close();
    }

    private static String submission(String id, String account, Path pdfFile) {
        return """
                {"submission": {"id": "%s", "account_id": "%s", "template_id": "tpl_bench", "test": false,
                  "processed_at": "2026-01-01T00:00:00Z", "download_url": "%s"}}""".formatted(id, account, pdfFile.toUri());
    }

    /** The broker's queue, to hold its dispatch while a warm backlog is queued. */
    private Queue queue(String name) throws Exception {
        Destination destination = broker.service().getDestination(new ActiveMQQueue(name));
        while (destination instanceof DestinationFilter filter) {
            destination = filter.getNext();
        }
        return (Queue) destination;
    }

    /**
     * {@code java -jar target/s3-relay.jar} in the project directory, pointed at the servers by its environment.
     *
     * @param options  JVM options after the launch's own: none but for {@link #RELAY_B}
     * @param settings environment settings ({@code S3RELAY_NAME=value}) after the benchmark's own: none but for
     *                 {@link #RELAY_B}
     */
    private Launched launchRelay(String name, Path data, String submissions, String actions, Scenario scenario, Path log,
                                 List<String> options, List<String> settings) throws Exception {
        Path integrationsFile = data.resolve("integrations.yaml");
        String yaml = BenchRelays.integrations(scenario.integrations(), s3.endpoint(), name);
        if (scenario.tenant()) {
            // a second account with an integration of its own, writing under the run's prefix too
            yaml += BenchRelays.integration("int_other", "acc_other", s3.endpoint(), name + "/other");
        }
        Files.writeString(integrationsFile, yaml);
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(launch.jvmOptions());
        command.addAll(options);
        // the one setting given as a system property: CAMEL_MANAGEMENT_PORT is listed among the placeholders but the
        // management server still binds camel.management.port from application.properties (8080)
        command.add("-Dcamel.management.port=" + freePort());
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = userEnvironment(builder);
        env.putAll(launch.environment());
        env.put("S3RELAY_BROKER_URL", broker.url());
        env.put("S3RELAY_INTEGRATIONS_FILE", integrationsFile.toString());
        env.put("S3RELAY_DATA_DIR", data.toString());
        env.put("S3RELAY_LOCAL_S3_ENABLED", "false");
        env.put("S3RELAY_QUEUE_SUBMISSIONS", submissions);
        env.put("S3RELAY_QUEUE_UPLOADS", name + ".uploads");
        env.put("S3RELAY_QUEUE_ACTIONS", actions);
        env.put("S3RELAY_QUEUE_DEAD_LETTER", name + ".dlq");
        env.put("S3RELAY_QUEUE_EVENTS", name + ".events");
        // -Dbench.relay-settings=S3RELAY_X=a,S3RELAY_Y=b: to compare a setting with its default, never for the table
        List<String> all = new ArrayList<>(words(System.getProperty("bench.relay-settings", "")));
        all.addAll(settings);
        for (String setting : all) {
            int equals = setting.indexOf('=');
            env.put(setting.substring(0, equals), setting.substring(equals + 1).replace("<broker>", broker.url()));
        }
        return start(builder, log, false);
    }

    /** The hand-written consumer in a JVM of its own, with no JVM options and prefetch 10 in its broker URL. */
    private Launched launchHandWritten(Path data, String submissions, String actions, Scenario scenario, Path log)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                BenchProcess.class.getName(), "ceiling+pending", broker.url() + "?jms.prefetchPolicy.queuePrefetch=" + PREFETCH,
                s3.endpoint().toString(), submissions, actions, String.valueOf(scenario.integrations()),
                String.valueOf(CONCURRENCY), data.toString());
        userEnvironment(builder);
        return start(builder, log, true);
    }

    /** The inherited environment without JVM options or relay settings of whoever runs the benchmark. */
    private static Map<String, String> userEnvironment(ProcessBuilder builder) {
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(variable -> UserLaunch.JVM_OPTION_VARIABLES.contains(variable)
                || variable.startsWith("S3RELAY_") || variable.startsWith("CAMEL_"));
        return env;
    }

    private Launched start(ProcessBuilder builder, Path log, boolean stopsOnStdin) throws IOException {
        builder.directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        long launched = System.nanoTime();
        Process process = builder.start();
        running.add(process);
        return new Launched(process, launched, stopsOnStdin, clockTicks, log);
    }

    /** A system's JVM, its CPU and resident memory read from /proc. */
    record Launched(Process process, long launchNanos, boolean stopsOnStdin, long clockTicks, Path log) {

        /** User + system CPU time of all the process's threads so far. */
        double cpuSeconds() throws IOException {
            return cpuTicks(Path.of("/proc", String.valueOf(process.pid()), "stat")) / (double) clockTicks;
        }

        /**
         * CPU time of the JIT compiler's threads so far (their names start with C1 or C2 CompilerThread; a compiler
         * thread that the JVM ended meanwhile is no longer counted, so a share read from this is a lower bound).
         */
        double jitCpuSeconds() throws IOException {
            long ticks = 0;
            try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
                            ticks += cpuTicks(task.resolve("stat"));
                        }
                    } catch (IOException ended) {
                        // the thread ended while it was read
                    }
                }
            }
            return ticks / (double) clockTicks;
        }

        /** User + system time, in clock ticks, of a process's or a thread's /proc stat file. */
        private static long cpuTicks(Path stat) throws IOException {
            String line = Files.readString(stat);
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            // after the command: state is field 3; utime and stime are fields 14 and 15
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }

        /** The peak resident set (VmHWM) since the JVM started. */
        long rssPeakMb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
            return 0;
        }

        /** The relay with SIGTERM, as a container stops; the hand-written consumer with its stop command. */
        void stop() throws Exception {
            if (stopsOnStdin && process.isAlive()) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write("stop\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException ended) {
                    // it is gone already
                }
            } else {
                process.destroy();
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The processed statuses of one drain: each submission is done once each of its integrations reported one. */
    static final class Drain {
        private final Map<String, long[]> dropped = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> remaining = new ConcurrentHashMap<>();
        private final Set<String> reported = ConcurrentHashMap.newKeySet();
        private final List<Long> latencies = new CopyOnWriteArrayList<>();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong last = new AtomicLong();
        final AtomicInteger duplicates = new AtomicInteger();

        void add(String id, int integrations, long droppedNanos) {
            remaining.put(id, new AtomicInteger(integrations));
            dropped.put(id, new long[] {droppedNanos});
        }

        void allDroppedAt(long nanos) {
            dropped.values().forEach(at -> at[0] = nanos);
        }

        /** Whether the status was one of this drain's. */
        boolean processed(String id, String integration, long now) {
            long[] at = dropped.get(id);
            if (at == null) {
                return false;
            }
            if (!reported.add(id + "/" + integration)) {
                duplicates.incrementAndGet();
                return true;
            }
            first.accumulateAndGet(now, Math::min);
            if (remaining.get(id).decrementAndGet() == 0) {
                latencies.add(TimeUnit.NANOSECONDS.toMillis(now - at[0]));
                last.accumulateAndGet(now, Math::max);
                done.incrementAndGet();
            }
            return true;
        }

        int done() {
            return done.get();
        }

        long firstProcessed() {
            return first.get();
        }

        long lastProcessed() {
            return last.get();
        }

        long[] sortedLatencies() {
            return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }

        /** Waits for {@code count} submissions; fails if the system's JVM ends or nothing completes for 3 minutes. */
        void await(int count, Launched jvm, String system) throws InterruptedException {
            int seen = done();
            long progress = System.nanoTime();
            while (done() < count) {
                if (!jvm.process().isAlive()) {
                    throw new IllegalStateException(system + " ended with " + done() + " of " + count + " done; see " + jvm.log());
                }
                if (done() != seen) {
                    seen = done();
                    progress = System.nanoTime();
                } else if (System.nanoTime() - progress > TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                    throw new IllegalStateException(system + " stalled at " + done() + " of " + count + "; see " + jvm.log());
                }
                Thread.sleep(50);
            }
        }
    }

    /** Every status of one system's run, handed to its drains; counts the states other than pending and processed. */
    static final class Statuses implements MessageListener {
        private final List<Drain> drains = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> otherStates = new ConcurrentHashMap<>();
        final AtomicInteger unknown = new AtomicInteger();

        Drain add(Drain drain) {
            drains.add(drain);
            return drain;
        }

        @Override
        public void onMessage(Message message) {
            long now = System.nanoTime();
            try {
                JsonNode status = JSON.readTree(((TextMessage) message).getText());
                String state = status.path("state").asText();
                if (state.equals("pending")) {
                    return;
                }
                if (!state.equals("processed")) {
                    otherStates.computeIfAbsent(state, s -> new AtomicInteger()).incrementAndGet();
                    return;
                }
                String id = status.path("submission_id").asText();
                String integration = status.path("integration_id").asText();
                for (Drain drain : drains) {
                    if (drain.processed(id, integration, now)) {
                        return;
                    }
                }
                unknown.incrementAndGet();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Records what a run's statuses and log show beyond the figures: other states, duplicates, warnings, errors. */
    private void notice(String system, String name, Path log, Statuses statuses) throws IOException {
        int duplicates = statuses.drains.stream().mapToInt(d -> d.duplicates.get()).sum();
        List<String> found = new ArrayList<>();
        if (duplicates > 0) {
            found.add(duplicates + " processed statuses repeated");
        }
        if (statuses.unknown.get() > 0) {
            found.add(statuses.unknown.get() + " processed statuses of unknown submissions");
        }
        statuses.otherStates.forEach((state, count) -> found.add(count.get() + " statuses '" + state + "'"));
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
            found.add(warnings + " WARN and " + errors + " ERROR log lines: " + messages.entrySet().stream().limit(3)
                    .map(e -> e.getValue() + "× " + e.getKey()).collect(Collectors.joining(" | ")));
        }
        if (!found.isEmpty()) {
            String odd = system + " (" + project.relativize(log) + "): " + String.join("; ", found);
            oddities.add(odd);
            System.out.println("  noticed: " + odd);
        }
    }

    private void clearObjects() {
        objects.deleteContainer("bench");
        s3.createBucket("bench");
    }

    private static double serversCpu() {
        return SERVERS_CPU.getProcessCpuTime() / 1e9;
    }

    /**
     * The machine's busy CPU time so far, all processes (/proc/stat): what the system, this JVM and the others used.
     * Another process's CPU during a drain took cores from the two measured.
     */
    private double machineCpu() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        // cpu user nice system idle iowait irq softirq steal: all but idle and iowait
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(fields[i]);
        }
        return busy / (double) clockTicks;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
            String ticks = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            getconf.waitFor();
            return Long.parseLong(ticks);
        } catch (Exception e) {
            return 100;
        }
    }

    private static String loadAverage() {
        try {
            String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return load[0] + " " + load[1] + " " + load[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static List<String> words(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<Integer> ints(String list) {
        return words(list).stream().map(Integer::parseInt).toList();
    }
}
