package io.s3relay.command;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.s3relay.broker.BrokerUrls;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

/** {@code send}: puts a submission message, persistent, on the submissions queue. */
public final class SendCommand {

    /** The smallest PDF that viewers open: one empty page. */
    public static final String SAMPLE_PDF = """
            %PDF-1.4
            1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
            2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
            3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj
            trailer << /Root 1 0 R >>
            %%EOF
            """;

    static final String USAGE = """
            Usage: send <file.json> | send --sample
              Puts a submission message, persistent, on the submissions queue (s3relay.queue.submissions) of the
              relay's broker (s3relay.broker.url, or the embedded broker at s3relay.embedded-broker.bind).
              <file.json>  a submission as the platform sends it
              --sample     a live submission of the sample account, with a one-page PDF under s3relay.data.dir
              --verbose    a failure's stack trace too
            Exit: 0 sent, 2 wrong usage or no such file, 3 the broker could not be reached.""";

    private final Settings settings;

    public SendCommand(Settings settings) {
        this.settings = settings;
    }

    public int run(String[] args) throws Exception {
        if (args.length != 1 || (args[0].startsWith("-") && !args[0].equals("--sample"))) {
            System.err.println(USAGE);
            return ExplainedFailure.USAGE;
        }
        boolean sample = args[0].equals("--sample");
        String body = sample ? null : read(Path.of(args[0]));
        String queue = settings.relay().getQueue().getSubmissions();
        try (Connection connection = CommandBroker.connect(settings);
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            // the sample's PDF is written once the broker answers, so that a failed send leaves none behind
            body = sample ? sample() : body;
            producer.send(session.createTextMessage(body));
        }
        System.out.println("Sent to " + queue + " on " + BrokerUrls.shown(settings.brokerUrl()) + ":\n" + body);
        return ExplainedFailure.DONE;
    }

    private static String read(Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new ExplainedFailure(ExplainedFailure.USAGE, "no such file: " + file
                    + ": give the path of a submission's JSON, or --sample for a sample one");
        }
        return Files.readString(file);
    }

    /** A live submission of the sample account, with its PDF written under the data folder. */
    private String sample() throws Exception {
        String id = "sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 18);
        Path pdf = Path.of(settings.relay().getData().getDir(), "samples", id + ".pdf").toAbsolutePath();
        Files.createDirectories(pdf.getParent());
        Files.writeString(pdf, SAMPLE_PDF, StandardCharsets.US_ASCII);
        return """
                {"submission": {"id": "%s", "account_id": "acc_sample", "template_id": "tpl_sample",
                  "template_name": "Sample Invoice", "test": false, "processed_at": "%s",
                  "metadata": {"user_id": 42}, "download_url": "%s"}}"""
                .formatted(id, Instant.now().truncatedTo(ChronoUnit.SECONDS), pdf.toUri());
    }
}
