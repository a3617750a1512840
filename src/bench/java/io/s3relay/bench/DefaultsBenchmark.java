package io.s3relay.bench;

import static io.s3relay.bench.ResultsTable.ratio;

import java.io.IOException;
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
import java.util.stream.Stream;

import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.broker.region.Destination;
import org.apache.activemq.broker.region.DestinationFilter;
import org.apache.activemq.broker.region.Queue;
import org.apache.activemq.command.ActiveMQQueue;
import org.gaul.s3proxy.blobstore.BlobStore;

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
    private static final int PDF_BYTES = 100 * 1024;

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
    private final BenchServers servers;
    private final Path dir;
    private final EmbeddedBroker broker;
    private final BlobStore objects;
    private final LocalS3Store s3;
    private final Connection connection;
    private final byte[] pdf = new byte[PDF_BYTES];
    private final SystemLauncher launcher;
    private final Oddities oddities;
    private int run;

    private DefaultsBenchmark() throws Exception {
        if (!Files.isRegularFile(jar) || !Files.isDirectory(project.resolve("target/lib"))) {
            throw new IllegalStateException(jar + " and target/lib are missing: run `mvn -B -Pbench -DskipTests package exec:exec`");
        }
        launch = UserLaunch.read(project);
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
        launcher = new SystemLauncher(project, jar, launch, broker.url(), s3.endpoint());
        oddities = new Oddities(project);
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
        bench.servers.warmUp(Integer.getInteger("bench.servers-warmup", 20_000), bench.pdf);
        ResultsTable results = new ResultsTable(new LinkedHashMap<>(), new ArrayList<>());
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

        System.out.printf("%n%s%n", results.markdown(reference));
        if (!results.coldBothOrders().isEmpty()) {
            System.out.println("relay / " + reference + ", the geometric mean of the cold drains' ratios in both orders:");
            results.coldBothOrders().forEach(line -> System.out.println("  " + line));
        }
        bench.oddities.print();
        System.out.printf(Locale.ROOT, "%nwall time %.1f min; load average %s; logs in %s%n",
                (System.nanoTime() - wallStart) / 60e9, Machine.loadAverage(), bench.project.relativize(bench.logs));
    }

    private void printHeader(String reference, Rules rules) {
        System.out.printf(Locale.ROOT, "machine: %d cores, load average %s; Java %s%n", Runtime.getRuntime().availableProcessors(),
                Machine.loadAverage(), System.getProperty("java.version"));
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
                    BenchProcess.class.getName(), HandWrittenCeilings.CONSUMERS, HandWrittenCeilings.PREFETCH);
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
    private void measure(Scenario scenario, List<String> order, String reference, Rules rules, ResultsTable results) throws Exception {
        int warmRounds = rules.warmRounds(scenario);
        System.out.printf(Locale.ROOT, "%n%s%s%n", scenario.title(), scenario.tenant()
                ? ", cold, with a second tenant sending one submission every " + TenantSender.INTERVAL_MILLIS + " ms"
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
                DrainFigures relay2 = again.get(RELAY).cold;
                DrainFigures hand2 = again.get(reference).cold;
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
    private static void warmResults(Scenario scenario, SystemRun relay, SystemRun hand, int warmPairs, ResultsTable results) {
        List<DrainFigures[]> pairs = pairs(relay, hand, warmPairs);
        if (relay != null && hand != null) {
            printRatios("settled", relay.settledRound(warmPairs), hand.settledRound(warmPairs));
            for (int pair = 0; pair < pairs.size(); pair++) {
                printRatios("pair " + (pair + 1), pairs.get(pair)[0], pairs.get(pair)[1]);
            }
        }
        DrainFigures[] median = medianPair(pairs, relay, hand);
        for (DrainFigures figures : median) {
            if (figures != null) {
                results.add(rowName(scenario, false, warmPairs), figures);
            }
        }
        if (median[0] != null && median[1] != null) {
            printRatios("median", median[0], median[1]);
        }
    }

    private static void printRatios(String label, DrainFigures relay, DrainFigures hand) {
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
    private static void print(DrainFigures figures, Map<String, SystemRun> runs, double cpuBefore) throws IOException {
        double waiting = systemsCpu(runs) - cpuBefore - figures.cpuSeconds();
        System.out.println("  " + figures.toString(runs.size() < 2 ? ""
                : String.format(Locale.ROOT, ", the other system's waiting JVM %.2f s", Math.max(0, waiting))));
    }

    /** The paired rounds after both settled: {relay's, the reference system's} each. */
    private static List<DrainFigures[]> pairs(SystemRun relay, SystemRun hand, int pairs) {
        List<DrainFigures[]> list = new ArrayList<>();
        for (int pair = pairs; pair >= 1; pair--) {
            list.add(new DrainFigures[] {last(relay, pair), last(hand, pair)});
        }
        return list;
    }

    private static DrainFigures last(SystemRun systemRun, int fromEnd) {
        return systemRun == null || systemRun.warm.size() < fromEnd ? null : systemRun.warm.get(systemRun.warm.size() - fromEnd);
    }

    /**
     * The pair whose relay / reference uploads/s is the median of the paired rounds (with one system measured,
     * its median round); without paired rounds, each system's settled round.
     */
    private static DrainFigures[] medianPair(List<DrainFigures[]> pairs, SystemRun relay, SystemRun hand) {
        if (pairs.isEmpty()) {
            return new DrainFigures[] {relay == null ? null : relay.settledRound(0), hand == null ? null : hand.settledRound(0)};
        }
        List<DrainFigures[]> sorted = new ArrayList<>(pairs);
        sorted.sort(java.util.Comparator.comparingDouble(pair -> pair[0] != null && pair[1] != null
                ? pair[0].uploadsPerSecond() / pair[1].uploadsPerSecond()
                : (pair[0] != null ? pair[0] : pair[1]).uploadsPerSecond()));
        return sorted.get(sorted.size() / 2);
    }

    private static String rowName(Scenario scenario, boolean cold, int warmPairs) {
        if (scenario.tenant()) {
            return String.format(Locale.ROOT, "second tenant, 1 submission / %d ms while %s drains, cold", TenantSender.INTERVAL_MILLIS,
                    scenario.title());
        }
        return scenario.title() + (cold ? ", cold (from JVM launch)"
                : warmPairs > 0 ? ", warm (JIT settled; the median of paired rounds)" : ", warm (JIT settled)");
    }

    /**
     * One system's JVM in one scenario, with queues of its own: its cold drain, then as many warm rounds as asked for,
     * in the same JVM, while the other system's JVM waits between its own rounds.
     */
    private final class SystemRun implements AutoCloseable {
        final String system;
        final Scenario scenario;
        final List<DrainFigures> warm = new ArrayList<>();
        DrainFigures cold;
        private final String name;
        private final String submissions;
        private final Path data;
        private final Path pdfFile;
        private final Path log;
        private final RunStatuses statuses = new RunStatuses();
        private final Session listening;
        private final MessageConsumer listener;
        private SystemJvm jvm;

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
        DrainFigures cold(String phase) throws Exception {
            Drain backlog = statuses.add(new Drain());
            queue(submissions, backlog, name + "_cold", scenario.backlog(), scenario.integrations(), pdfFile);
            Counters before = counters();
            jvm = system.equals(HAND_WRITTEN)
                    ? launcher.handWritten(data, submissions, name + ".actions", scenario.integrations(), log)
                    : launcher.relay(name, data, submissions, name + ".actions", scenario.integrations(), scenario.tenant(), log,
                    system.equals(RELAY_B) ? bOptions : List.of(), system.equals(RELAY_B) ? bSettings : List.of());
            backlog.allDroppedAt(jvm.launchNanos());
            Drain tenant = null;
            TenantSender sender = null;
            try {
                if (scenario.tenant()) {
                    tenant = statuses.add(new Drain());
                    sender = TenantSender.start(connection, submissions, name, pdfFile, tenant, backlog, scenario.backlog());
                }
                awaitDone(backlog, scenario.backlog());
                Counters spent = counters().since(before);
                DrainFigures.Tenant tenantFigures = null;
                if (tenant != null) {
                    int sent = sender.stop();
                    sender = null;
                    awaitDone(tenant, sent);
                    long[] sorted = tenant.sortedLatencies();
                    tenantFigures = new DrainFigures.Tenant(sent, Drain.percentile(sorted, 50), Drain.percentile(sorted, 99));
                }
                servers.emptyBucket();
                cold = figures(phase, backlog, jvm.launchNanos(), spent, tenantFigures);
                return cold;
            } finally {
                if (sender != null) {
                    sender.executor().shutdownNow();
                }
            }
        }

        /** One warm round: the broker holds the queue while the backlog is queued, and lets go. */
        DrainFigures warmRound(String phase) throws Exception {
            Queue queue = queue(submissions);
            queue.pauseDispatch();
            Drain round = statuses.add(new Drain());
            queue(submissions, round, name + "_" + phase.replace(" ", ""), scenario.backlog(), scenario.integrations(), pdfFile);
            Counters before = counters();
            long start = System.nanoTime();
            round.allDroppedAt(start);
            queue.resumeDispatch();
            awaitDone(round, scenario.backlog());
            DrainFigures figures = figures(phase, round, start, counters().since(before), null);
            warm.add(figures);
            servers.emptyBucket();
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
        DrainFigures settledRound(int pairs) {
            return warm.get(warm.size() - 1 - pairs);
        }

        /** The JVM's CPU so far (0 before it starts). */
        double cpuSeconds() throws IOException {
            return jvm == null ? 0 : jvm.cpuSeconds();
        }

        /** The CPU counters now: the JVM's (0 before it starts), its compiler threads', the servers', the machine's. */
        private Counters counters() throws IOException {
            return new Counters(cpuSeconds(), jvm == null ? 0 : jvm.jitCpuSeconds(), Machine.serversCpuSeconds(), Machine.busyCpuSeconds());
        }

        /** Waits until {@code count} of the drain's submissions are done; fails if this system's JVM ends or stalls. */
        private void awaitDone(Drain drain, int count) throws InterruptedException {
            drain.await(count, system + ", see " + jvm.log(), jvm.process()::isAlive);
        }

        private DrainFigures figures(String phase, Drain drain, long start, Counters spent, DrainFigures.Tenant tenant) throws IOException {
            long[] sorted = drain.sortedLatencies();
            return new DrainFigures(system, phase, scenario.uploads(), (drain.lastProcessed() - start) / 1e9,
                    (drain.firstProcessed() - start) / 1e9, Drain.percentile(sorted, 50),
                    Drain.percentile(sorted, 99), spent.system(), spent.servers(), jvm.rssPeakMb(), tenant,
                    spent.machine() - spent.system() - spent.servers(), Machine.loadAverage().split(" ")[0], spent.jit());
        }

        @Override
        public void close() throws Exception {
            if (jvm != null) {
                launcher.stop(jvm);
            }
            listener.close();
            listening.close();
            BenchRelays.deleteRecursively(data);
            oddities.notice(system, log, statuses);
        }
    }

    /**
     * CPU seconds so far, or spent over a drain: the system's JVM, its JIT compiler's threads, this JVM (the broker and
     * the S3 server) and the whole machine (every process; less the other three, what other processes took).
     */
    private record Counters(double system, double jit, double servers, double machine) {
        Counters since(Counters before) {
            return new Counters(system - before.system, jit - before.jit, servers - before.servers, machine - before.machine);
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
            producer.send(session.createTextMessage(BenchRelays.submission(id, "acc_bench", pdfFile)));
            if (i % 500 == 499) {
                session.commit();
            }
        }
        session.commit();
        session.close();
    }

    /** The broker's queue, to hold its dispatch while a warm backlog is queued. */
    private Queue queue(String name) throws Exception {
        Destination destination = broker.service().getDestination(new ActiveMQQueue(name));
        while (destination instanceof DestinationFilter filter) {
            destination = filter.getNext();
        }
        return (Queue) destination;
    }

    /** The items of a comma-separated list. */
    static List<String> words(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<Integer> ints(String list) {
        return words(list).stream().map(Integer::parseInt).toList();
    }
}
