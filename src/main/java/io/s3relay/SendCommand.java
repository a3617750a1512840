package io.s3relay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

/** {@code send}: puts a submission message, persistent, on the submissions queue. */
final class SendCommand {

    /** The smallest PDF that viewers open: one empty page. */
    static final String SAMPLE_PDF = """
            %PDF-1.4
            1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
            2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
            3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj
            trailer << /Root 1 0 R >>
            %%EOF
            """;

    private final Settings settings;

    SendCommand(Settings settings) {
        this.settings = settings;
    }

    int run(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("Usage: send <file.json> | send --sample");
            return 2;
        }
        String body = args[0].equals("--sample") ? sample() : Files.readString(Path.of(args[0]));
        String queue = settings.get("s3relay.queue.submissions", "s3relay.submissions");
        try (Connection connection = settings.connectionFactory().createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage(body));
        }
        System.out.println("Sent to " + queue + " on " + settings.brokerUrl() + ":\n" + body);
        return 0;
    }

    /** A live submission of the sample account, with its PDF written under the data folder. */
    private String sample() throws Exception {
        String id = "sub_" + UUID.randomUUID().toString().replace("-", "").substring(0, 18);
        Path pdf = Path.of(settings.get("s3relay.data.dir", "data"), "samples", id + ".pdf").toAbsolutePath();
        Files.createDirectories(pdf.getParent());
        Files.writeString(pdf, SAMPLE_PDF, StandardCharsets.US_ASCII);
        return """
                {"submission": {"id": "%s", "account_id": "acc_sample", "template_id": "tpl_sample",
                  "template_name": "Sample Invoice", "test": false, "processed_at": "%s",
                  "metadata": {"user_id": 42}, "download_url": "%s"}}"""
                .formatted(id, Instant.now().truncatedTo(ChronoUnit.SECONDS), pdf.toUri());
    }
}
