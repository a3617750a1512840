package io.s3relay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The benchmark's side of a {@link BenchProcess}: starts it, asks for its CPU and heap, stops it. */
final class SystemProcess implements AutoCloseable {

    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final String input;
    private final Path log;

    private SystemProcess(Process process, String input, Path log) {
        this.process = process;
        this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.input = input;
        this.log = log;
    }

    /**
     * @param args broker-url s3-endpoint input-queue actions-queue integrations concurrency data-dir,
     *             as {@link BenchProcess} takes them; its output other than its answers goes to {@code log}
     */
    static SystemProcess start(List<String> jvmOptions, String system, List<String> args, Path log, String input)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchProcess.class.getName(), system));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        SystemProcess started = new SystemProcess(process, input, log);
        Thread reader = new Thread(started::readOutput, "bench-" + system + "-output");
        reader.setDaemon(true);
        reader.start();
        started.await("BENCH ready", 120);
        return started;
    }

    String input() {
        return input;
    }

    /** Whether its JVM still runs. */
    boolean running() {
        return process.isAlive();
    }

    /** Where its output other than its answers goes. */
    Path log() {
        return log;
    }

    String actions() {
        return input + ".actions";
    }

    /** The system's figures at one moment: the peak heap is since the previous mark; JIT is its compiler threads' CPU. */
    record Mark(long cpuNanos, long peakHeapBytes, long jitMillis) {
    }

    /** The system's CPU and its JIT compiler's CPU so far and its peak heap since the last mark; the peak starts again. */
    Mark mark() throws Exception {
        commands.println("mark");
        String[] answer = await("BENCH mark ", 60).split(" ");
        return new Mark(Long.parseLong(answer[2]), Long.parseLong(answer[3]), Long.parseLong(answer[4]));
    }

    /** Stops the system, its JVM staying up and warm. */
    void pause() throws Exception {
        commands.println("pause");
        await("BENCH paused", 60);
    }

    /** Starts the system again; returns once it consumes. */
    void resume() throws Exception {
        commands.println("resume");
        await("BENCH ready", 120);
    }

    @Override
    public void close() throws Exception {
        commands.println("stop");
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private String await(String prefix, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String answer = answers.poll(200, TimeUnit.MILLISECONDS);
            if (answer != null && answer.startsWith(prefix)) {
                return answer;
            }
            if (answer == null && !process.isAlive()) {
                break;
            }
        }
        throw new IllegalStateException("no '" + prefix.strip() + "' from the system's process; see " + log);
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer file = Files.newBufferedWriter(log)) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("BENCH ")) {
                    answers.add(line);
                } else {
                    file.write(line);
                    file.write('\n');
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
