package io.s3relay.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.S3Relay;
import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.camel.main.Main;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The relay against the fastest thing a user could write by hand, in one run, on the same embedded persistent
 * broker and s3proxy server, with the same concurrency and PDFs: a plain transacted JMS consumer that parses the
 * message, does one PutObject per integration with the AWS SDK and sends a status, with no Camel. That ceiling
 * does less than the relay: one transaction for all of a submission's uploads and one status per upload. So a
 * second, "two-hop" ceiling does the relay's work by hand: the submission becomes a job message and a pending
 * status per integration (one transaction), and each job a PutObject and a processed status (one transaction).
 * Prints throughput (uploads/s from the first submission dropped to the last processed status), latency
 * percentiles, CPU time and peak heap, and the ratios relay / ceiling and relay / two-hop ceiling.
 * Not a test: run it with -Pthroughput.
 */
public final class RelayVsCeilingBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONCURRENCY = 8;

    private final Path dir;
    private final EmbeddedBroker broker;
    private final LocalS3Store s3;
    private final Connection connection;
    private int run;

    private RelayVsCeilingBenchmark() throws Exception {
        dir = Files.createTempDirectory("s3relay-bench");
        broker = new EmbeddedBroker(dir.resolve("broker").toFile(), "tcp://127.0.0.1:0").start();
        // objects on disk: an in-memory store would fill the heap and the heap figures with the objects
        s3 = new LocalS3Store(dir.resolve("s3"), "127.0.0.1", 0, "bench", "bench-secret").start();
        s3.createBucket("bench");
        connection = new ActiveMQConnectionFactory(broker.url()).createConnection();
        connection.start();
    }

    record Scenario(String name, int submissions, int pdfBytes, int integrations, boolean queuedBeforeStart) {
    }

    record Result(double uploadsPerSecond, long p50, long p95, long p99, double cpuSeconds, long peakHeapMb) {
        @Override
        public String toString() {
            return String.format("%8.1f uploads/s  p50 %5d ms  p95 %5d ms  p99 %5d ms  cpu %6.1f s  peak heap %5d MiB",
                    uploadsPerSecond, p50, p95, p99, cpuSeconds, peakHeapMb);
        }

        /** Each figure's median over the rounds, on its own (for an odd number of rounds, each is one round's). */
        static Result median(List<Result> all) {
            return new Result(medianOf(all, Result::uploadsPerSecond), (long) medianOf(all, Result::p50),
                    (long) medianOf(all, Result::p95), (long) medianOf(all, Result::p99), medianOf(all, Result::cpuSeconds),
                    (long) medianOf(all, Result::peakHeapMb));
        }

        private static double medianOf(List<Result> all, java.util.function.ToDoubleFunction<Result> figure) {
            double[] sorted = all.stream().mapToDouble(figure).sorted().toArray();
            int middle = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    private static String perRoundRatios(List<Result> relay, List<Result> ceiling) {
        List<String> ratios = new ArrayList<>();
        for (int i = 0; i < relay.size(); i++) {
            ratios.add(String.format("%.2f", relay.get(i).uploadsPerSecond() / ceiling.get(i).uploadsPerSecond()));
        }
        return String.join(", ", ratios);
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
        System.out.printf("machine: %d cores, %d MiB max heap, Java %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / 1024 / 1024, System.getProperty("java.version"));
        // -Dbench.rounds=N measures each system N times per scenario, in a rotating order, and compares medians:
        // on a shared machine one run of a system moves by +-30 %, and whichever runs first pays for the others
        int rounds = Integer.getInteger("bench.rounds", 3);
        for (Scenario scenario : scenarios) {
            // -Dbench.relay-only=true skips the ceilings (for profiling the relay alone; no ratio then)
            boolean relayOnly = Boolean.getBoolean("bench.relay-only");
            List<String> systems = relayOnly ? List.of("relay") : List.of("ceiling", "two-hop", "relay");
            Map<String, List<Result>> results = new java.util.LinkedHashMap<>();
            systems.forEach(system -> results.put(system, new ArrayList<>()));
            System.out.printf("%n%s (%d submissions, %d uploads, concurrency %d, %d rounds)%n", scenario.name(),
                    scenario.submissions(), scenario.submissions() * scenario.integrations(), CONCURRENCY, rounds);
            // round 0 is an unmeasured warm-up of every system on this very scenario: the JVM compiles code for a
            // minute or more after it starts (a third of the CPU in a burst right after a short warm-up), and the
            // service runs for days, so the rounds compare warm systems (-Dbench.warmup=false skips it)
            int first = Boolean.parseBoolean(System.getProperty("bench.warmup", "true")) ? 0 : 1;
            for (int round = first; round <= rounds; round++) {
                for (int i = 0; i < systems.size(); i++) {
                    String system = systems.get((i + round) % systems.size());
                    Result result = switch (system) {
                        case "ceiling" -> bench.ceiling(scenario);
                        case "two-hop" -> bench.twoHopCeiling(scenario);
                        default -> bench.relay(scenario);
                    };
                    if (round == 0) {
                        System.out.printf("  warm-up  %-8s%s%n", system, result);
                    } else {
                        results.get(system).add(result);
                        System.out.printf("  round %d  %-8s%s%n", round, system, result);
                    }
                }
            }
            Map<String, Result> medians = new java.util.LinkedHashMap<>();
            results.forEach((system, all) -> medians.put(system, Result.median(all)));
            medians.forEach((system, median) -> System.out.printf("  median   %-8s%s%n", system, median));
            if (!relayOnly) {
                double relay = medians.get("relay").uploadsPerSecond();
                System.out.printf("  ratio of medians  relay / ceiling: %.2f   relay / two-hop ceiling: %.2f"
                                + "   (per round relay / ceiling: %s)%n",
                        relay / medians.get("ceiling").uploadsPerSecond(), relay / medians.get("two-hop").uploadsPerSecond(),
                        perRoundRatios(results.get("relay"), results.get("ceiling")));
            }
        }
        bench.connection.close();
        bench.s3.close();
        bench.broker.close();
        System.exit(0);
    }

    /** The relay in this JVM, with its own queues for this run. */
    private Result relay(Scenario scenario) throws Exception {
        String suffix = "." + (++run);
        Path integrations = dir.resolve("integrations" + suffix + ".yaml");
        Files.writeString(integrations, BenchRelays.integrations(scenario.integrations(), s3.endpoint(), "relay" + suffix));
        Map<String, String> properties = Map.of(
                "s3relay.broker.url", broker.url(), "s3relay.data.dir", dir.resolve("relay" + suffix).toString(),
                "s3relay.integrations.file", integrations.toString(), "s3relay.local-s3.enabled", "false",
                "camel.management.enabled", "false", "camel.main.routes-reload-enabled", "false",
                "s3relay.upload.concurrency", String.valueOf(CONCURRENCY),
                // as many uploads per integration as the ceiling has consumers; -Dbench.max-in-flight=4 measures the
                // relay's default bulkhead instead
                "s3relay.integration.max-in-flight", System.getProperty("bench.max-in-flight", String.valueOf(CONCURRENCY)),
                "s3relay.queue.submissions", "bench.submissions" + suffix, "s3relay.queue.uploads", "bench.uploads" + suffix);
        String actions = "s3relay.actions";
        return measure(scenario, "bench.submissions" + suffix, actions, () -> {
            Main main = S3Relay.newMain();
            properties.forEach(main::addOverrideProperty);
            main.start();
            return main::stop;
        });
    }

    /** The hand-written ceiling: transacted JMS consumers, Jackson, the AWS SDK, a status; no Camel. */
    private Result ceiling(Scenario scenario) throws Exception {
        String suffix = "." + (++run);
        String input = "bench.ceiling" + suffix;
        String actions = "bench.ceiling.actions" + suffix;
        return measure(scenario, input, actions, () -> {
            S3Client client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.endpoint()).forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret"))).build();
            List<Session> sessions = new ArrayList<>();
            List<Connection> own = new ArrayList<>();
            for (int c = 0; c < CONCURRENCY; c++) {
                Session session = consumerConnection(own, CEILING_CONNECTION_PER_SESSION).createSession(true, Session.SESSION_TRANSACTED);
                sessions.add(session);
                MessageConsumer consumer = session.createConsumer(session.createQueue(input));
                MessageProducer statuses = session.createProducer(session.createQueue(actions));
                statuses.setDeliveryMode(DeliveryMode.PERSISTENT);
                consumer.setMessageListener(message -> {
                    try {
                        JsonNode submission = JSON.readTree(((TextMessage) message).getText()).path("submission");
                        String id = submission.path("id").asText();
                        Path pdf = Path.of(java.net.URI.create(submission.path("download_url").asText()));
                        for (int i = 0; i < scenario.integrations(); i++) {
                            client.putObject(PutObjectRequest.builder().bucket("bench").key("ceiling" + suffix + "/" + i + "/" + id + ".pdf")
                                    .contentType("application/pdf").build(), RequestBody.fromFile(pdf));
                            statuses.send(session.createTextMessage("{\"action_type\":\"aws_s3_upload\",\"state\":\"processed\","
                                    + "\"integration_id\":\"int_" + i + "\",\"submission_id\":\"" + id + "\"}"));
                        }
                        session.commit();
                    } catch (Exception e) {
                        try {
                            session.rollback();
                        } catch (Exception ignored) {
                            // the broker redelivers
                        }
                    }
                });
            }
            return () -> {
                for (Session session : sessions) {
                    session.close();
                }
                for (Connection c : own) {
                    c.close();
                }
                client.close();
            };
        });
    }

    /**
     * The ceiling doing the relay's work per upload, by hand: submission in, one job message and one pending status
     * per integration out (one transaction); then per job, one PutObject and a processed status (one transaction).
     * Same consumers as the relay (2 and 8), each on a broker connection of its own as the relay's are; no Camel.
     */
    private Result twoHopCeiling(Scenario scenario) throws Exception {
        String suffix = "." + (++run);
        String input = "bench.twohop" + suffix;
        String jobs = "bench.twohop.jobs" + suffix;
        String actions = "bench.twohop.actions" + suffix;
        return measure(scenario, input, actions, () -> {
            S3Client client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3.endpoint()).forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret"))).build();
            List<Connection> own = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                Session session = consumerConnection(own, true).createSession(true, Session.SESSION_TRANSACTED);
                MessageConsumer consumer = session.createConsumer(session.createQueue(input));
                MessageProducer toJobs = session.createProducer(session.createQueue(jobs));
                MessageProducer statuses = session.createProducer(session.createQueue(actions));
                consumer.setMessageListener(message -> {
                    try {
                        JsonNode submission = JSON.readTree(((TextMessage) message).getText()).path("submission");
                        String id = submission.path("id").asText();
                        for (int i = 0; i < scenario.integrations(); i++) {
                            var job = JSON.createObjectNode().put("integration_id", "int_" + i).set("submission", submission);
                            toJobs.send(session.createTextMessage(JSON.writeValueAsString(job)));
                            statuses.send(session.createTextMessage("{\"action_type\":\"aws_s3_upload\",\"state\":\"pending\","
                                    + "\"integration_id\":\"int_" + i + "\",\"submission_id\":\"" + id + "\"}"));
                        }
                        session.commit();
                    } catch (Exception e) {
                        rollback(session);
                    }
                });
            }
            for (int c = 0; c < CONCURRENCY; c++) {
                Session session = consumerConnection(own, true).createSession(true, Session.SESSION_TRANSACTED);
                MessageConsumer consumer = session.createConsumer(session.createQueue(jobs));
                MessageProducer statuses = session.createProducer(session.createQueue(actions));
                consumer.setMessageListener(message -> {
                    try {
                        JsonNode job = JSON.readTree(((TextMessage) message).getText());
                        String integration = job.path("integration_id").asText();
                        String id = job.path("submission").path("id").asText();
                        Path pdf = Path.of(java.net.URI.create(job.path("submission").path("download_url").asText()));
                        client.putObject(PutObjectRequest.builder().bucket("bench")
                                .key("twohop" + suffix + "/" + integration + "/" + id + ".pdf")
                                .contentType("application/pdf").build(), RequestBody.fromFile(pdf));
                        statuses.send(session.createTextMessage("{\"action_type\":\"aws_s3_upload\",\"state\":\"processed\","
                                + "\"integration_id\":\"" + integration + "\",\"submission_id\":\"" + id + "\"}"));
                        session.commit();
                    } catch (Exception e) {
                        rollback(session);
                    }
                });
            }
            return () -> {
                for (Connection c : own) {
                    c.close();
                }
                client.close();
            };
        });
    }

    /** -Dbench.ceiling.connection-per-session=true gives the one-hop ceiling's consumers a connection each too. */
    private static final boolean CEILING_CONNECTION_PER_SESSION = Boolean.getBoolean("bench.ceiling.connection-per-session");

    private Connection consumerConnection(List<Connection> own, boolean ofItsOwn) throws Exception {
        if (!ofItsOwn) {
            return connection;
        }
        Connection c = new ActiveMQConnectionFactory(broker.url()).createConnection();
        c.start();
        own.add(c);
        return c;
    }

    private static void rollback(Session session) {
        try {
            session.rollback();
        } catch (Exception ignored) {
            // the broker redelivers
        }
    }

    interface Started {
        AutoCloseable start() throws Exception;
    }

    private Result measure(Scenario scenario, String inputQueue, String actionsQueue, Started system) throws Exception {
        Path pdf = dir.resolve("pdf-" + scenario.pdfBytes() + ".pdf");
        if (!Files.exists(pdf)) {
            byte[] bytes = new byte[scenario.pdfBytes()];
            new Random(scenario.pdfBytes()).nextBytes(bytes);
            Files.write(pdf, bytes);
        }
        Map<String, Long> dropped = new ConcurrentHashMap<>();
        Map<String, Integer> remaining = new ConcurrentHashMap<>();
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(scenario.submissions());
        long[] lastProcessed = {0};
        Session listening = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer statuses = listening.createConsumer(listening.createQueue(actionsQueue));
        statuses.setMessageListener(message -> {
            try {
                JsonNode status = JSON.readTree(((TextMessage) message).getText());
                String id = status.path("submission_id").asText();
                if (status.path("state").asText().equals("processed") && dropped.containsKey(id)
                        && remaining.merge(id, -1, Integer::sum) == 0) {
                    long now = System.nanoTime();
                    latencies.add(TimeUnit.NANOSECONDS.toMillis(now - dropped.get(id)));
                    synchronized (lastProcessed) {
                        lastProcessed[0] = Math.max(lastProcessed[0], now);
                    }
                    done.countDown();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();

        Session sending = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = sending.createProducer(sending.createQueue(inputQueue));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        AutoCloseable running = scenario.queuedBeforeStart() ? null : system.start();
        long first = System.nanoTime();
        for (int i = 0; i < scenario.submissions(); i++) {
            String id = String.format("sub_%s_%06d", inputQueue.replace('.', '_'), i);
            remaining.put(id, scenario.integrations());
            dropped.put(id, System.nanoTime());
            producer.send(sending.createTextMessage("""
                    {"submission": {"id": "%s", "account_id": "acc_bench", "template_id": "tpl_bench", "test": false,
                      "processed_at": "2026-01-01T00:00:00Z", "download_url": "%s"}}""".formatted(id, pdf.toUri())));
        }
        if (scenario.queuedBeforeStart()) {
            // the burst is measured from the start of the consumer, with every submission already queued
            long start = System.nanoTime();
            first = start;
            dropped.replaceAll((id, t) -> start);
            running = system.start();
        }
        if (!done.await(30, TimeUnit.MINUTES)) {
            throw new IllegalStateException("not finished: " + done.getCount() + " submissions left");
        }
        long elapsed = lastProcessed[0] - first;
        double cpu = (os.getProcessCpuTime() - cpuBefore) / 1e9;
        long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1024 / 1024;
        running.close();
        statuses.close();
        listening.close();
        sending.close();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(scenario.submissions() * scenario.integrations() / (elapsed / 1e9),
                percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 99), cpu, peakHeap);
    }

    private static long percentile(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

}
