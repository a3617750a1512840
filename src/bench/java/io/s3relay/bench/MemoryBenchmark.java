package io.s3relay.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3relay.embedded.EmbeddedBroker;
import io.s3relay.embedded.LocalS3Store;
import io.s3relay.support.RecordingBlobStore;
import io.s3relay.support.RelayFixture;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.gaul.s3proxy.blobstore.domain.Blob;
import org.gaul.s3proxy.blobstore.options.GetOptions;

/**
 * How much heap the relay needs, as its own JVM with -Xmx256m (the relay alone: the broker and the s3proxy
 * server, objects on disk, run in this JVM):
 * <ol>
 * <li>one 1 GiB PDF, generated on disk, uploaded with the default multipart settings: elapsed time, MiB/s, the
 * relay's peak heap (from its GC log and its memory pools, read through /observe/jolokia), and the stored object's
 * size and SHA-256 against the source's;</li>
 * <li>heap used after a full GC before and after 10,000 small submissions.</li>
 * </ol>
 * Prints figures and asserts no timing. Not a test: run it with -Pbench -Dbench=memory (docs/performance.md).
 */
public final class MemoryBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;
    private static final String RELAY_HEAP = "-Xmx256m";
    private static final String BUCKET = "bench";
    private static final int CONCURRENCY = 8;

    private final BenchServers servers;
    private final Path dir;
    private final EmbeddedBroker broker;
    private final RecordingBlobStore objects;
    private final LocalS3Store s3;
    private final Connection connection;
    private final Session session;
    private final Map<String, JsonNode> processed = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final int managementPort;
    private final Path gcLog = Path.of("target", "memory-benchmark-relay-gc.log").toAbsolutePath();
    private final List<String> relayOptions;
    private Process relay;

    private MemoryBenchmark(List<String> relayOptions) throws Exception {
        this.relayOptions = relayOptions;
        servers = BenchServers.start("s3relay-memory", RecordingBlobStore::new);
        dir = servers.dir();
        broker = servers.broker();
        objects = (RecordingBlobStore) servers.objects();
        s3 = servers.s3();
        connection = servers.connection();
        session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        session.createConsumer(session.createQueue("s3relay.actions")).setMessageListener(message -> {
            try {
                JsonNode status = JSON.readTree(((TextMessage) message).getText());
                if ("processed".equals(status.path("state").asText())) {
                    processed.put(status.path("submission_id").asText(), status);
                } else if ("failed".equals(status.path("state").asText())) {
                    System.out.println("FAILED: " + status);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        managementPort = RelayFixture.freePort();
    }

    public static void main(String[] args) throws Exception {
        int submissions = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        long pdfBytes = args.length > 1 ? Long.parseLong(args[1]) : 1024 * MIB;
        // further arguments go to the relay's JVM, e.g. -Ds3relay.upload.multipart-threshold=... to compare
        List<String> relayOptions = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("machine: %d cores, %d GiB RAM, Java %s; relay JVM %s, its own process%n",
                Runtime.getRuntime().availableProcessors(), Math.round(os.getTotalMemorySize() / (1024.0 * MIB)),
                System.getProperty("java.version"), RELAY_HEAP);
        MemoryBenchmark bench = new MemoryBenchmark(relayOptions);
        int exit = 0;
        try {
            bench.startRelay();
            bench.largePdf(pdfBytes);
            bench.smallSubmissions(submissions);
        } catch (Throwable e) {
            e.printStackTrace();
            exit = 1;
        } finally {
            bench.close();
        }
        System.exit(exit);
    }

    /** The relay as `java -jar target/s3-relay.jar` runs it, with the default upload settings. */
    private void startRelay() throws Exception {
        Path integrations = dir.resolve("integrations.yaml");
        Files.writeString(integrations, """
                integrations:
                  - id: int_memory
                    account_id: acc_memory
                    bucket: %s
                    region: us-east-1
                    access_key_id: bench
                    secret_access_key: bench-secret
                    endpoint: %s
                    path_style: true
                    path_template: "{{ submission_id }}.pdf"
                """.formatted(BUCKET, s3.endpoint()));
        Files.createDirectories(gcLog.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, RELAY_HEAP, "-Xlog:gc:file=" + gcLog,
                "-cp", System.getProperty("java.class.path"),
                "-Ds3relay.broker.url=" + broker.url(),
                "-Ds3relay.data.dir=" + dir.resolve("relay"),
                "-Ds3relay.source.file-root=" + dir.resolve("pdfs"),
                "-Ds3relay.integrations.file=" + integrations,
                "-Ds3relay.local-s3.enabled=false",
                "-Ds3relay.upload.concurrency=" + CONCURRENCY,
                "-Dcamel.main.routes-reload-enabled=false",
                "-Dcamel.management.port=" + managementPort));
        command.addAll(relayOptions);
        command.addAll(List.of("io.s3relay.S3Relay", "run"));
        if (!relayOptions.isEmpty()) {
            System.out.println("relay options: " + String.join(" ", relayOptions));
        }
        Path log = Path.of("target", "memory-benchmark-relay.log");
        relay = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        BenchRelays.awaitHealthy(http, managementPort, relay, "the relay", log);
        System.out.printf("relay pid %d up (management on port %d, log %s)%n", relay.pid(), managementPort, log);
    }

    private void largePdf(long size) throws Exception {
        Path pdf = Files.createDirectories(dir.resolve("pdfs")).resolve("large.pdf");
        long writing = System.nanoTime();
        String sourceSha = generate(pdf, size);
        System.out.printf("%n1. one %d MiB PDF (written to disk in %.1f s, streamed through SHA-256)%n", size / MIB,
                seconds(writing));

        fullGc();
        long heapBefore = heapUsed();
        long gcLogMark = gcLogLength();
        AtomicLong sampledMax = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    sampledMax.accumulateAndGet(heapUsed(), Math::max);
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception ignored) {
                    // a missed sample
                }
            }
        });
        sampler.setDaemon(true);
        int operationsMark = objects.operations().size();

        String id = "sub_large";
        long started = System.nanoTime();
        sampler.start();
        send(id, pdf);
        JsonNode status = await(Set.of(id), Duration.ofMinutes(30));
        double elapsed = seconds(started);
        sampler.interrupt();
        sampler.join();

        long gcPeak = peakBeforeGc(gcLogMark);
        Map<String, Long> sent = new TreeMap<>();
        objects.operations().subList(operationsMark, objects.operations().size())
                .forEach(op -> sent.merge(op.substring(0, op.indexOf(' ')), 1L, Long::sum));

        long[] storedSize = new long[1];
        String storedSha = storedSha256(id + ".pdf", storedSize);
        System.out.printf("  elapsed (submission sent to processed status): %.1f s, %.1f MiB/s%n", elapsed,
                size / (double) MIB / elapsed);
        System.out.printf("  sent to S3: %s (etag %s)%n", sent, status.path("result_data").path("etag").asText());
        System.out.printf("  relay heap: %d MiB used after a full GC before; peak during the upload %d MiB (largest "
                        + "heap before a GC, from the GC log), %d MiB (heap sampled every 50 ms), of %s%n",
                heapBefore / MIB, gcPeak / MIB, sampledMax.get() / MIB, RELAY_HEAP);
        System.out.printf("  stored object: %d bytes (source %d), SHA-256 %s (source %s): %s%n", storedSize[0], size,
                storedSha, sourceSha, storedSize[0] == size && storedSha.equals(sourceSha) ? "identical" : "DIFFERENT");
        Files.delete(pdf);
        objects.delegate().removeBlob(BUCKET, id + ".pdf");
    }

    private void smallSubmissions(int count) throws Exception {
        Path pdf = dir.resolve("pdfs").resolve("small.pdf");
        byte[] bytes = new byte[2048];
        new SplittableRandom(2048).nextBytes(bytes);
        Files.write(pdf, bytes);
        int warmUp = 500;
        System.out.printf("%n2. %,d small (2 KiB) submissions, after %d to warm up%n", count, warmUp);
        sendAll("warm", warmUp, pdf);

        fullGc();
        long before = heapUsed();
        Map<String, Long> classesBefore = liveBytesByClass();
        long started = System.nanoTime();
        sendAll("sub", count, pdf);
        double elapsed = seconds(started);
        fullGc();
        long after = heapUsed();
        Map<String, Long> classesAfter = liveBytesByClass();
        System.out.printf("  %,d uploads in %.1f s (%.1f uploads/s, sending included)%n", count, elapsed, count / elapsed);
        System.out.printf("  relay heap used after a full GC: before %.1f MiB, after %.1f MiB, difference %+.1f MiB "
                        + "(%+d bytes per submission)%n", before / (double) MIB, after / (double) MIB,
                (after - before) / (double) MIB, (after - before) / count);
        // what the difference is made of: the classes whose live instances grew most
        System.out.println("  live bytes that grew most, by class (jcmd GC.class_histogram before and after):");
        classesAfter.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - classesBefore.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> System.out.printf("    %+,10d bytes  %s%n", e.getValue(), e.getKey()));
    }

    /** The relay's live objects by class (a histogram after a full GC), in bytes. */
    private Map<String, Long> liveBytesByClass() throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(relay.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        Map<String, Long> bytes = new java.util.HashMap<>();
        for (String line : new String(jcmd.getInputStream().readAllBytes()).split("\n")) {
            // "   1:         12345        678901  java.lang.String (java.base@17)"
            String[] cells = line.trim().split("\\s+");
            if (cells.length >= 4 && cells[0].endsWith(":")) {
                bytes.merge(cells[3], Long.parseLong(cells[2]), Long::sum);
            }
        }
        jcmd.waitFor();
        return bytes;
    }

    private void sendAll(String prefix, int count, Path pdf) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "_" + i;
            ids.add(id);
            send(id, pdf);
        }
        await(Set.copyOf(ids), Duration.ofMinutes(20));
    }

    private synchronized void send(String id, Path pdf) throws Exception {
        String body = """
                {"submission": {"id": "%s", "account_id": "acc_memory", "template_id": "tpl_memory",
                  "template_name": "Memory", "test": false, "processed_at": "2026-01-01T00:00:00Z",
                  "metadata": {}, "download_url": "%s"}}""".formatted(id, pdf.toUri());
        try (MessageProducer producer = session.createProducer(session.createQueue("s3relay.submissions"))) {
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage(body));
        }
    }

    /** Waits for every id's processed status; returns the last one's. */
    private JsonNode await(Set<String> ids, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!processed.keySet().containsAll(ids)) {
            if (System.nanoTime() > deadline || !relay.isAlive()) {
                long done = ids.stream().filter(processed::containsKey).count();
                throw new IllegalStateException(done + " of " + ids.size() + " processed; relay alive: " + relay.isAlive());
            }
            Thread.sleep(20);
        }
        return ids.isEmpty() ? null : processed.get(ids.iterator().next());
    }

    /** A PDF header, then pseudo-random bytes (so that nothing on the way can compress them), hashed as written. */
    private static String generate(Path file, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(size);
        byte[] buffer = new byte[(int) MIB];
        byte[] header = "%PDF-1.4\n".getBytes();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; ) {
                random.nextBytes(buffer);
                if (written == 0) {
                    System.arraycopy(header, 0, buffer, 0, header.length);
                }
                int n = (int) Math.min(buffer.length, size - written);
                out.write(buffer, 0, n);
                sha.update(buffer, 0, n);
                written += n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private String storedSha256(String key, long[] size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        Blob blob = objects.delegate().getBlob(BUCKET, key, GetOptions.NONE);
        if (blob == null) {
            return "(no object)";
        }
        byte[] buffer = new byte[(int) MIB];
        try (InputStream in = blob.getPayload()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                size[0] += n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    // ---- the relay's heap, through its Jolokia endpoint and its GC log

    private JsonNode jolokia(Map<String, Object> request) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + managementPort + "/observe/jolokia"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(response.body());
        if (answer.path("status").asInt() != 200) {
            throw new IllegalStateException("Jolokia: " + response.body());
        }
        return answer.path("value");
    }

    private long heapUsed() throws Exception {
        return jolokia(Map.of("type", "read", "mbean", "java.lang:type=Memory", "attribute", "HeapMemoryUsage"))
                .path("used").asLong();
    }

    /**
     * A full collection with G1 (the relay runs without -XX:+ExplicitGCInvokesConcurrent), through jcmd: the
     * relay's Jolokia runs no JVM operation.
     */
    private void fullGc() throws Exception {
        for (int i = 0; i < 2; i++) {
            Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(relay.pid()), "GC.run").redirectErrorStream(true).start();
            gc.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (gc.waitFor() != 0) {
                throw new IllegalStateException("jcmd GC.run failed");
            }
        }
    }

    private long gcLogLength() throws IOException {
        return Files.exists(gcLog) ? Files.readAllLines(gcLog).size() : 0;
    }

    /** The largest heap occupancy the GC log shows before a collection, from the given line on. */
    private long peakBeforeGc(long fromLine) throws IOException {
        Pattern occupancy = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
        long peak = 0;
        List<String> lines = Files.readAllLines(gcLog);
        for (String line : lines.subList((int) Math.min(fromLine, lines.size()), lines.size())) {
            Matcher m = occupancy.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)) * MIB);
            }
        }
        return peak;
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private void close() throws Exception {
        if (relay != null) {
            relay.destroy();
            if (!relay.waitFor(60, TimeUnit.SECONDS)) {
                relay.destroyForcibly().waitFor();
            }
        }
        servers.close();
    }
}
