package io.s3relay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

/**
 * The relay against the fastest thing a user could write by hand, in one run, on the same embedded persistent
 * broker and s3proxy server, with the same concurrency and PDFs: a plain transacted JMS consumer that parses the
 * message, does one PutObject per integration with the AWS SDK and sends a status, with no Camel. That ceiling
 * does less than the relay: one transaction for all of a submission's uploads and one status per upload. So a
 * second, "two-hop" ceiling does the relay's work by hand: the submission becomes a job message and a pending
 * status per integration (one transaction), and each job a PutObject and a processed status (one transaction).
 * The broker and the S3 server run in this JVM; each system runs in a JVM of its own ({@link BenchProcess}), as
 * the relay does in production. Prints throughput (uploads/s from the first submission dropped to the last
 * processed status), latency percentiles, the system's own CPU time and peak heap, and the ratios relay / ceiling
 * and relay / two-hop ceiling. Not a test: run it with -Pbench -Dbench=throughput (docs/performance.md).
 */
public final class RelayVsCeilingBenchmark {

    private static final int CONCURRENCY = 8;
    private static final com.sun.management.OperatingSystemMXBean SERVERS_CPU =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    /** -Dbench.systems=ceiling,ceiling+pending,relay picks others; the relay is always among them. */
    private static final List<String> SYSTEMS = List.of("ceiling", "two-hop", "relay");

    private final BenchServers servers;
    private final Path dir;
    private final EmbeddedBroker broker;
    private final LocalS3Store s3;
    private final org.gaul.s3proxy.blobstore.BlobStore objects;
    private final Connection connection;
    private int run;

    private RelayVsCeilingBenchmark() throws Exception {
        servers = BenchServers.start("s3relay-bench", store -> store);
        dir = servers.dir();
        broker = servers.broker();
        objects = servers.objects();
        s3 = servers.s3();
        connection = servers.connection();
    }

    record Scenario(String name, int submissions, int pdfBytes, int integrations, boolean queuedBeforeStart) {
    }

    /**
     * jitSeconds: the CPU of the JIT compiler's threads in the round (part of cpuSeconds). serversCpuSeconds:
     * this JVM's CPU time in the round (the broker, the S3 server, the sender and the status listener), the work the
     * system gave the servers.
     */
    record Result(double uploadsPerSecond, long p50, long p95, long p99, double cpuSeconds, long peakHeapMb,
                  double jitSeconds, double serversCpuSeconds) {
        @Override
        public String toString() {
            return String.format("%8.1f uploads/s  p50 %5d ms  p95 %5d ms  p99 %5d ms  cpu %6.1f s  peak heap %5d MiB"
                    + "  jit %5.1f s  servers cpu %5.1f s", uploadsPerSecond, p50, p95, p99, cpuSeconds, peakHeapMb,
                    jitSeconds, serversCpuSeconds);
        }

        /** Whether the JIT compiler took at most that share of the system's CPU in the round. */
        boolean compilerQuiet(double share) {
            return jitSeconds <= share * cpuSeconds;
        }

        /** Each figure's median over the rounds, on its own (for an odd number of rounds, each is one round's). */
        static Result median(List<Result> all) {
            return new Result(medianOf(all, Result::uploadsPerSecond), (long) medianOf(all, Result::p50),
                    (long) medianOf(all, Result::p95), (long) medianOf(all, Result::p99), medianOf(all, Result::cpuSeconds),
                    (long) medianOf(all, Result::peakHeapMb), medianOf(all, Result::jitSeconds),
                    medianOf(all, Result::serversCpuSeconds));
        }

        private static double medianOf(List<Result> all, java.util.function.ToDoubleFunction<Result> figure) {
            double[] sorted = all.stream().mapToDouble(figure).sorted().toArray();
            int middle = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    public static void main(String[] args) throws Exception {
        int scale = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        List<Scenario> scenarios = List.of(
                new Scenario("100 KiB PDFs, 1 integration", 1000 * scale, 100 * 1024, 1, false),
                new Scenario("100 KiB PDFs, 3 integrations", 500 * scale, 100 * 1024, 3, false),
                new Scenario("5 MiB PDFs, 1 integration", 60 * scale, 5 * 1024 * 1024, 1, false),
                new Scenario("burst of 10,000 small submissions queued before start", 10_000, 2 * 1024, 1, true));
        // -Dbench.scenarios=2,4 runs only those (1-based), e.g. to profile one scenario
        String only = System.getProperty("bench.scenarios", "");
        if (!only.isBlank()) {
            List<Scenario> all = scenarios;
            scenarios = java.util.Arrays.stream(only.split(",")).map(String::strip)
                    .map(n -> all.get(Integer.parseInt(n) - 1)).toList();
        }
        RelayVsCeilingBenchmark bench = new RelayVsCeilingBenchmark();
        System.out.printf("machine: %d cores; broker and S3 server in this JVM (%d MiB max heap), each system in its own"
                        + " (%s); Java %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / 1024 / 1024, SYSTEM_JVM, System.getProperty("java.version"));
        // -Dbench.rounds=N measures each system N times per scenario, in a rotating order, and compares medians:
        // on a shared machine one run of a system moves by +-30 %
        int rounds = Integer.getInteger("bench.rounds", 5);
        // -Dbench.relay-only=true skips the ceilings (for profiling the relay alone; no ratio then)
        List<String> systems = Boolean.getBoolean("bench.relay-only") ? List.of("relay")
                : System.getProperty("bench.systems", "").isBlank() ? SYSTEMS
                : java.util.stream.Stream.concat(java.util.Arrays.stream(System.getProperty("bench.systems").split(","))
                        .map(String::strip).filter(system -> !system.equals("relay")), java.util.stream.Stream.of("relay")).toList();
        for (Scenario scenario : scenarios) {
            bench.compare(scenario, systems, rounds);
        }
        bench.servers.close();
        System.exit(0);
    }

    /**
     * Each system's rounds of one scenario. Each system's process runs through all the rounds, after unmeasured
     * warm-up rounds: a JVM compiles for minutes after it starts, and the service runs for days. For the burst, the
     * system stops, the burst is queued, and it starts again.
     */
    private void compare(Scenario scenario, List<String> systems, int rounds) throws Exception {
        Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
        systems.forEach(system -> results.put(system, new ArrayList<>()));
        System.out.printf("%n%s (%d submissions, %d uploads, concurrency %d, %d rounds)%n", scenario.name(),
                scenario.submissions(), scenario.submissions() * scenario.integrations(), CONCURRENCY, rounds);
        Map<String, SystemProcess> processes = new java.util.HashMap<>();
        try {
            for (String system : systems) {
                processes.put(system, start(system, scenario));
            }
            // unmeasured warm-up rounds: at least about -Dbench.warmup-uploads=30000 uploads and
            // -Dbench.warmup-submissions=30000 submissions per system, then more until each system's last round
            // spent at most -Dbench.warmup-jit-share=0.05 of its CPU compiling, in at most
            // -Dbench.warmup-max-rounds=100 rounds (-Dbench.warmup=false skips them). The relay's JIT compiler, with
            // Camel's and the SDK's code to compile, went quiet after about 30,000 uploads; until then it took a
            // third of the relay's CPU. The code run once per submission (the JMS listener, parsing, the split)
            // needs as many submissions: with 3 integrations it was still being compiled after 12,000
            int uploads = scenario.submissions() * scenario.integrations();
            boolean warmUp = Boolean.parseBoolean(System.getProperty("bench.warmup", "true"));
            // a burst round starts the system again, and its start is compiled anew: the relay's compiler took 1.6
            // to 3.0 s of each 21 to 25 s burst round from the 5th on, so the burst warms up for 10 rounds at most
            int maxWarmUpRounds = !warmUp ? 0 : scenario.queuedBeforeStart()
                    ? Integer.getInteger("bench.warmup-max-burst-rounds", 10)
                    : Integer.getInteger("bench.warmup-max-rounds", 100);
            int minWarmUpRounds = Math.min(maxWarmUpRounds, Math.max(1, Math.max(
                    roundsFor(Integer.getInteger("bench.warmup-uploads", 30000), uploads),
                    roundsFor(Integer.getInteger("bench.warmup-submissions", 30000), scenario.submissions()))));
            double jitShare = Double.parseDouble(System.getProperty("bench.warmup-jit-share", "0.05"));
            Map<String, Result> lastWarmUp = Map.of();
            int warmUpRounds = 0;
            while (warmUpRounds < maxWarmUpRounds && (warmUpRounds < minWarmUpRounds
                    || !lastWarmUp.values().stream().allMatch(r -> r.compilerQuiet(jitShare)))) {
                warmUpRounds++;
                lastWarmUp = round(scenario, systems, processes, warmUpRounds, "warm-up");
            }
            if (warmUp) {
                System.out.printf("  warm-up: %d rounds, %s%n", warmUpRounds,
                        lastWarmUp.values().stream().allMatch(r -> r.compilerQuiet(jitShare))
                        ? "the JIT compilers quiet" : "stopped at its round limit with a JIT compiler still busy");
            }
            for (int round = 1; round <= rounds; round++) {
                round(scenario, systems, processes, round, "round " + round).forEach((system, result) -> results.get(system).add(result));
            }
        } finally {
            for (SystemProcess process : processes.values()) {
                process.close();
            }
        }
        Map<String, Result> medians = new java.util.LinkedHashMap<>();
        results.forEach((system, all) -> medians.put(system, Result.median(all)));
        medians.forEach((system, median) -> System.out.printf("  median   %-15s%s%n", system, median));
        double relay = medians.get("relay").uploadsPerSecond();
        medians.forEach((system, median) -> {
            if (!system.equals("relay")) {
                System.out.printf("  ratio of medians  relay / %s: %.2f   (per round: %s)%n", system,
                        relay / median.uploadsPerSecond(), perRoundRatios(results.get("relay"), results.get(system)));
            }
        });
    }

    /** One round of every system, each started in turn from a rotating first one; each printed with the label. */
    private Map<String, Result> round(Scenario scenario, List<String> systems, Map<String, SystemProcess> processes,
                                      int round, String label) throws Exception {
        Map<String, Result> results = new java.util.HashMap<>();
        for (int i = 0; i < systems.size(); i++) {
            String system = systems.get(Math.floorMod(i + round, systems.size()));
            Result result = measure(scenario, processes.get(system));
            results.put(system, result);
            System.out.printf("  %s  %-15s%s%n", label, system, result);
        }
        return results;
    }

    /** Rounds of {@code perRound} each for at least {@code total}. */
    private static int roundsFor(int total, int perRound) {
        return (total + perRound - 1) / perRound;
    }

    private static String perRoundRatios(List<Result> relay, List<Result> ceiling) {
        List<String> ratios = new ArrayList<>();
        for (int i = 0; i < relay.size(); i++) {
            ratios.add(String.format("%.2f", relay.get(i).uploadsPerSecond() / ceiling.get(i).uploadsPerSecond()));
        }
        return String.join(", ", ratios);
    }

    /** -Dbench.system-jvm="-Xmx512m ...": each system's JVM options, e.g. to record one with Flight Recorder. */
    private static final String SYSTEM_JVM = System.getProperty("bench.system-jvm", "-Xmx512m");

    /** A system's process with queues of its own; returns once it consumes. */
    private SystemProcess start(String system, Scenario scenario) throws Exception {
        String name = "bench." + system.replace("-", "") + "." + (++run);
        return SystemProcess.start(List.of(SYSTEM_JVM.strip().split("\\s+")), system, List.of(broker.url(), s3.endpoint().toString(), name,
                name + ".actions", String.valueOf(scenario.integrations()), String.valueOf(CONCURRENCY),
                dir.resolve(name).toString()), dir.resolve(name + ".log"), name);
    }

    /** One round on a system's process. */
    private Result measure(Scenario scenario, SystemProcess process) throws Exception {
        String inputQueue = process.input();
        String actionsQueue = process.actions();
        Path pdf = dir.resolve("pdf-" + scenario.pdfBytes() + ".pdf");
        if (!Files.exists(pdf)) {
            byte[] bytes = new byte[scenario.pdfBytes()];
            new Random(scenario.pdfBytes()).nextBytes(bytes);
            Files.write(pdf, bytes);
        }
        RunStatuses runStatuses = new RunStatuses();
        Drain drain = runStatuses.add(new Drain());
        Session listening = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer statuses = listening.createConsumer(listening.createQueue(actionsQueue));
        statuses.setMessageListener(runStatuses);
        if (scenario.queuedBeforeStart()) {
            process.pause();
        }
        SystemProcess.Mark before = process.mark();
        long serversBefore = SERVERS_CPU.getProcessCpuTime();

        Session sending = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = sending.createProducer(sending.createQueue(inputQueue));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        String round = inputQueue.replace('.', '_') + "_" + (++run);
        long first = System.nanoTime();
        for (int i = 0; i < scenario.submissions(); i++) {
            String id = String.format("sub_%s_%06d", round, i);
            drain.add(id, scenario.integrations(), System.nanoTime());
            producer.send(sending.createTextMessage(BenchRelays.submission(id, "acc_bench", pdf)));
        }
        if (scenario.queuedBeforeStart()) {
            // the burst is measured from the moment the system starts again, with every submission already queued
            long start = System.nanoTime();
            first = start;
            drain.allDroppedAt(start);
            process.resume();
        }
        drain.await(scenario.submissions(), inputQueue + ", see " + process.log(), process::running);
        long elapsed = drain.lastProcessed() - first;
        SystemProcess.Mark after = process.mark();
        long serversAfter = SERVERS_CPU.getProcessCpuTime();
        // each round writes new keys: tens of thousands of warm-up objects (5 MiB ones too) would fill the disk
        objects.deleteContainer("bench");
        s3.createBucket("bench");
        double cpu = (after.cpuNanos() - before.cpuNanos()) / 1e9;
        long peakHeap = after.peakHeapBytes() / 1024 / 1024;
        statuses.close();
        listening.close();
        sending.close();
        long[] sorted = drain.sortedLatencies();
        return new Result(scenario.submissions() * scenario.integrations() / (elapsed / 1e9),
                Drain.percentile(sorted, 50), Drain.percentile(sorted, 95),
                Drain.percentile(sorted, 99), cpu, peakHeap, (after.jitMillis() - before.jitMillis()) / 1e3,
                (serversAfter - serversBefore) / 1e9);
    }

}
