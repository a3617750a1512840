package io.s3relay.bench;

import java.io.File;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import io.s3relay.support.RelayFixture;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.options.PutOptions;

/**
 * Scale-out: the same submissions consumed by one relay process, then by two relay processes (separate JVMs,
 * started as `java -cp ... io.s3relay.S3Relay run`) competing for the same queues of one broker. The broker and
 * the S3 server (objects on disk) run in this JVM. Prints the throughput of each run, the uploads each process
 * made (from its log), and checks that no job was done twice: PutObject calls per key on the S3 server, and
 * processed statuses per (submission, integration). Not a test: run it with -Pbench -Dbench=scaleout (docs/performance.md).
 */
public final class ScaleOutBenchmark {

    private static final int CONCURRENCY = 8;
    private static final String RELAY_HEAP = "-Xmx512m";

    private final BenchServers servers;
    private final Path dir;
    private final EmbeddedBroker broker;
    private final CountingBlobStore objects;
    private final LocalS3Store s3;
    private final Connection connection;
    private final HttpClient http = HttpClient.newHttpClient();

    /** Counts PutObject calls per bucket/key on the S3 server. */
    static final class CountingBlobStore extends ForwardingBlobStore {
        final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();

        CountingBlobStore(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            puts.computeIfAbsent(container + "/" + blob.getMetadata().name(), k -> new AtomicInteger()).incrementAndGet();
            return super.putBlob(container, blob, options);
        }
    }

    record Run(int processes, int uploads, double uploadsPerSecond, long p50, long p95, List<Long> perProcess,
               long keysPutTwice, long missingKeys, long jobsProcessedTwice, long jobsWithoutStatus) {
    }

    private ScaleOutBenchmark() throws Exception {
        servers = BenchServers.start("s3relay-scaleout", CountingBlobStore::new);
        dir = servers.dir();
        broker = servers.broker();
        objects = (CountingBlobStore) servers.objects();
        s3 = servers.s3();
        connection = servers.connection();
    }

    public static void main(String[] args) throws Exception {
        int submissions = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        int integrations = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ScaleOutBenchmark bench = new ScaleOutBenchmark();
        System.out.printf("machine: %d cores, Java %s; %d submissions of a 100 KiB PDF, %d integrations each, "
                        + "relay processes %s with upload concurrency %d each%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), submissions,
                integrations, RELAY_HEAP, CONCURRENCY);
        List<Run> runs = new ArrayList<>();
        for (int processes : new int[]{1, 2}) {
            Run run = bench.run(processes, submissions, integrations);
            runs.add(run);
            System.out.printf("%n%d relay process%s: %.1f uploads/s (p50 %d ms, p95 %d ms); uploads per process %s%n"
                            + "  keys put more than once: %d, keys missing: %d, jobs with more than one processed status: %d, "
                            + "jobs without one: %d%n",
                    processes, processes == 1 ? "" : "es", run.uploadsPerSecond(), run.p50(), run.p95(), run.perProcess(),
                    run.keysPutTwice(), run.missingKeys(), run.jobsProcessedTwice(), run.jobsWithoutStatus());
        }
        System.out.printf("%ntwo processes / one process: %.2f%n",
                runs.get(1).uploadsPerSecond() / runs.get(0).uploadsPerSecond());
        bench.connection.close();
        bench.s3.close();
        bench.broker.close();
        boolean clean = runs.stream().allMatch(r -> r.keysPutTwice() == 0 && r.missingKeys() == 0
                && r.jobsProcessedTwice() == 0 && r.jobsWithoutStatus() == 0);
        System.out.println(clean ? "every job done exactly once" : "SOME JOBS WERE NOT DONE EXACTLY ONCE");
        if (clean) {
            BenchRelays.deleteRecursively(bench.dir);
        } else {
            // the relays' logs, the broker's journal and the objects, to find out why
            System.out.println("kept for a look: " + bench.dir);
        }
        System.exit(clean ? 0 : 1);
    }

    private Run run(int processes, int submissions, int integrations) throws Exception {
        String suffix = ".p" + processes;
        String input = "bench.scale.submissions" + suffix;
        String actions = "bench.scale.actions" + suffix;
        Path integrationsFile = dir.resolve("integrations" + suffix + ".yaml");
        Files.writeString(integrationsFile, BenchRelays.integrations(integrations, s3.endpoint(), "scale" + suffix));

        List<Process> relays = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            Path log = dir.resolve("relay" + suffix + "-" + p + ".log");
            logs.add(log);
            relays.add(startRelay(p, suffix, input, actions, integrationsFile, log));
        }

        Path pdf = dir.resolve("pdf.pdf");
        if (!Files.exists(pdf)) {
            byte[] bytes = new byte[100 * 1024];
            new Random(7).nextBytes(bytes);
            Files.write(pdf, bytes);
        }
        // every processed status is counted per job, to find jobs done twice; only a job's first one completes it
        RunStatuses runStatuses = new RunStatuses();
        Drain drain = runStatuses.add(new Drain());
        Session listening = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer statuses = listening.createConsumer(listening.createQueue(actions));
        statuses.setMessageListener(runStatuses);

        Session sending = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = sending.createProducer(sending.createQueue(input));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        List<String> ids = new ArrayList<>();
        long first = System.nanoTime();
        for (int i = 0; i < submissions; i++) {
            String id = String.format("sub_scale%s_%06d", suffix.replace('.', '_'), i);
            ids.add(id);
            drain.add(id, integrations, System.nanoTime());
            producer.send(sending.createTextMessage(BenchRelays.submission(id, "acc_bench", pdf)));
        }
        drain.await(submissions, processes + " relay process(es), see " + logs, () -> relays.stream().allMatch(Process::isAlive));
        long elapsed = drain.lastProcessed() - first;
        // late duplicates would arrive after the last first status: give them a moment before counting
        Thread.sleep(3000);
        for (Process relay : relays) {
            relay.destroy();
        }
        for (Process relay : relays) {
            if (!relay.waitFor(60, TimeUnit.SECONDS)) {
                relay.destroyForcibly();
            }
        }
        statuses.close();
        listening.close();
        sending.close();

        long keysPutTwice = 0;
        long missing = 0;
        long jobsTwice = 0;
        long jobsWithout = 0;
        for (String id : ids) {
            for (int i = 0; i < integrations; i++) {
                AtomicInteger puts = objects.puts.get("bench/scale" + suffix + "/" + i + "/" + id + ".pdf");
                if (puts == null) {
                    missing++;
                } else if (puts.get() > 1) {
                    keysPutTwice++;
                }
                int statusCount = drain.reports(id, "int_" + i);
                if (statusCount == 0) {
                    jobsWithout++;
                } else if (statusCount > 1) {
                    jobsTwice++;
                }
            }
        }
        List<Long> perProcess = new ArrayList<>();
        for (Path log : logs) {
            try (var lines = Files.lines(log)) {
                perProcess.add(lines.filter(l -> l.contains("state=processed")).count());
            }
        }
        long[] sorted = drain.sortedLatencies();
        int uploads = submissions * integrations;
        return new Run(processes, uploads, uploads / (elapsed / 1e9), Drain.percentile(sorted, 50),
                Drain.percentile(sorted, 95), perProcess, keysPutTwice, missing, jobsTwice, jobsWithout);
    }

    private Process startRelay(int index, String suffix, String input, String actions, Path integrations, Path log)
            throws Exception {
        int managementPort = RelayFixture.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, RELAY_HEAP,
                "-cp", System.getProperty("java.class.path"),
                "-Ds3relay.broker.url=" + broker.url(),
                "-Ds3relay.data.dir=" + dir.resolve("relay" + suffix + "-" + index),
                "-Ds3relay.source.file-root=" + dir,
                "-Ds3relay.integrations.file=" + integrations,
                "-Ds3relay.local-s3.enabled=false",
                "-Ds3relay.submissions.concurrency=" + CONCURRENCY,
                "-Ds3relay.upload.concurrency=" + CONCURRENCY,
                "-Ds3relay.queue.submissions=" + input,
                "-Ds3relay.queue.uploads=bench.scale.uploads" + suffix,
                "-Ds3relay.queue.actions=" + actions,
                "-Dcamel.main.routes-reload-enabled=false",
                "-Dcamel.management.port=" + managementPort,
                "io.s3relay.S3Relay", "run"));
        Process relay = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        BenchRelays.awaitHealthy(http, managementPort, relay, "relay " + index, log);
        return relay;
    }
}
