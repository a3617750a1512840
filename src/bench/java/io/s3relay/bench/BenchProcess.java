package io.s3relay.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import io.s3relay.S3Relay;
import org.apache.camel.main.Main;

/**
 * One system of {@link RelayVsCeilingBenchmark} in a JVM of its own, as it runs in production: the relay, the
 * hand-written ceiling or the two-hop ceiling, consuming from the broker the benchmark runs. In one shared JVM the
 * systems' code competed for the JIT, which still took a fifth of the CPU minutes into the run, and the CPU and heap
 * figures mixed the system with the broker and the S3 server.
 *
 * <p>Driven over stdin: {@code mark} answers {@code BENCH mark <process CPU ns> <peak heap bytes since the last
 * mark> <JIT compiler threads' CPU ms so far>} and resets the peak; {@code pause} stops the system and answers {@code BENCH paused}, so that a burst can
 * be queued before it starts again (in the same, warm JVM) on {@code resume}; {@code stop} stops it and exits.
 * {@code BENCH ready} says it consumes.
 */
public final class BenchProcess {

    private BenchProcess() {
    }

    /** args: system broker-url s3-endpoint input-queue actions-queue integrations concurrency data-dir */
    public static void main(String[] args) throws Exception {
        String system = args[0];
        String broker = args[1];
        URI s3 = URI.create(args[2]);
        String input = args[3];
        String actions = args[4];
        int integrations = Integer.parseInt(args[5]);
        int concurrency = Integer.parseInt(args[6]);
        Path dir = Path.of(args[7]);
        Files.createDirectories(dir);
        Starter starter = switch (system) {
            case "ceiling" -> () -> HandWrittenCeilings.ceiling(broker, s3, input, actions, integrations, concurrency, input, false);
            case "ceiling+pending" -> () -> HandWrittenCeilings.ceiling(broker, s3, input, actions, integrations, concurrency, input, true);
            case "two-hop" -> () -> HandWrittenCeilings.twoHop(broker, s3, input, actions, integrations, concurrency, input);
            case "relay" -> () -> relay(broker, s3, input, actions, integrations, concurrency, dir);
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
        AutoCloseable running = starter.start();
        System.out.println("BENCH ready");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in));
        for (String command; (command = commands.readLine()) != null && !command.equals("stop"); ) {
            switch (command) {
                case "mark" -> {
                    long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                            .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
                    long compilerMillis = Math.round(Machine.compilerCpuSeconds(ProcessHandle.current().pid()) * 1e3);
                    System.out.println("BENCH mark " + os.getProcessCpuTime() + " " + peak + " " + compilerMillis);
                    System.gc();
                    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
                }
                case "pause" -> {
                    running.close();
                    running = null;
                    System.out.println("BENCH paused");
                }
                case "resume" -> {
                    running = starter.start();
                    System.out.println("BENCH ready");
                }
                default -> System.out.println("BENCH unknown command " + command);
            }
        }
        if (running != null) {
            running.close();
        }
        System.exit(0);
    }

    interface Starter {
        AutoCloseable start() throws Exception;
    }


    /** The relay as {@code s3relay run} starts it, with the benchmark's queues, integrations and concurrency. */
    private static AutoCloseable relay(String broker, URI s3, String input, String actions, int integrations,
                                       int concurrency, Path dir) throws Exception {
        Path integrationsFile = dir.resolve("integrations.yaml");
        Files.writeString(integrationsFile, BenchRelays.integrations(integrations, s3, input));
        Main main = S3Relay.newMain();
        String[] overrides = {"s3relay.broker.url", broker, "s3relay.data.dir", dir.toString(),
                // the benchmark's PDFs lie in the folder above each system's own
                "s3relay.source.file-root", dir.getParent().toString(),
                "s3relay.integrations.file", integrationsFile.toString(), "s3relay.local-s3.enabled", "false",
                "camel.management.enabled", "false", "camel.main.routes-reload-enabled", "false",
                // as many consumers as the ceiling on each queue: the submissions' own upload the copies that go inline
                "s3relay.submissions.concurrency", String.valueOf(concurrency),
                "s3relay.upload.concurrency", String.valueOf(concurrency),
                "s3relay.queue.submissions", input, "s3relay.queue.uploads", input + ".jobs",
                "s3relay.queue.actions", actions};
        for (int i = 0; i < overrides.length; i += 2) {
            main.addOverrideProperty(overrides[i], overrides[i + 1]);
        }
        main.start();
        return main::stop;
    }
}
