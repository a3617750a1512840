package io.s3relay.command;

import java.io.PrintStream;
import java.util.Enumeration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3relay.failure.FailureHeaders;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

/**
 * {@code dlq list} shows the dead letters and why they died; {@code dlq replay --integration ID | --all} moves
 * them back into processing once the cause is fixed, each with a fresh attempt budget and marked as replayed.
 * Exit 0 on success, 2 on wrong usage, 3 when the broker cannot be reached.
 */
public final class DlqCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String USAGE = """
            Usage: dlq list | dlq replay --integration <id> | dlq replay --all
              dlq list                         the dead letters (s3relay.queue.dead-letter), with why each one died
              dlq replay --integration <id>    move that integration's dead letters back into processing
              dlq replay --all                 move every dead letter back into processing
              --verbose                        a failure's stack trace too
              Replayed letters start with a fresh attempt budget and are marked as replayed; each letter is
              replayed at most once per call.
            Exit: 0 done, 2 wrong usage, 3 the broker could not be reached.""";

    private final Settings settings;
    private final PrintStream out;

    public DlqCommand(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public int run(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("list")) {
            return list();
        }
        if (args.length == 2 && args[0].equals("replay") && args[1].equals("--all")) {
            return replay(null);
        }
        if (args.length == 3 && args[0].equals("replay") && args[1].equals("--integration")) {
            return replay(args[2]);
        }
        System.err.println(USAGE);
        return ExplainedFailure.USAGE;
    }

    private int list() throws Exception {
        try (Connection connection = connect();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             QueueBrowser browser = session.createBrowser(session.createQueue(deadLetterQueue()))) {
            int count = 0;
            for (Enumeration<?> letters = browser.getEnumeration(); letters.hasMoreElements(); ) {
                Message message = (Message) letters.nextElement();
                if (message == null) {
                    continue; // ActiveMQ's browser may answer null while the next message is on its way
                }
                count++;
                out.printf("%s  %s  integration=%s  attempts=%s  last_failure=%s  queue=%s%n    %s%n    %s%n",
                        message.getJMSMessageID(), message.getStringProperty(FailureHeaders.ERROR_CLASS),
                        message.getStringProperty(FailureHeaders.INTEGRATION_ID), message.getObjectProperty(FailureHeaders.ATTEMPTS),
                        message.getStringProperty(FailureHeaders.LAST_FAILURE), message.getStringProperty(FailureHeaders.SOURCE_QUEUE),
                        message.getStringProperty(FailureHeaders.ERROR_MESSAGE), abbreviate(body(message)));
            }
            out.println(count + " dead letter(s) in " + deadLetterQueue());
        }
        return 0;
    }

    /**
     * Replays the letters that were dead already when the command started, each at most once: one that fails for
     * good again is dead-lettered anew, with a later time, and stays for the next call.
     */
    private int replay(String integrationId) throws Exception {
        String selector = "JMSTimestamp <= " + System.currentTimeMillis() + (integrationId == null ? ""
                : " AND " + FailureHeaders.INTEGRATION_ID + " = '" + integrationId.replace("'", "''") + "'");
        int replayed = 0;
        try (Connection connection = connect();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageConsumer consumer = session.createConsumer(session.createQueue(deadLetterQueue()), selector)) {
            Message message;
            while ((message = consumer.receive(1000)) != null) {
                String body = body(message);
                String queue = message.getStringProperty(FailureHeaders.SOURCE_QUEUE);
                boolean job = isUploadJob(body);
                if (queue == null) {
                    queue = job ? settings.relay().getQueue().getUploads()
                            : settings.relay().getQueue().getSubmissions();
                }
                TextMessage copy = session.createTextMessage(job ? markReplayed(body) : body);
                copy.setBooleanProperty(FailureHeaders.REPLAYED, true);
                try (MessageProducer producer = session.createProducer(session.createQueue(queue))) {
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                    producer.send(copy);
                }
                // one transaction per letter: taking it from the dead-letter queue and putting it back are one step
                session.commit();
                replayed++;
                out.println("replayed " + message.getJMSMessageID() + " to " + queue);
            }
        }
        out.println(replayed + " dead letter(s) replayed" + (integrationId == null ? "" : " for integration " + integrationId));
        return 0;
    }

    private Connection connect() {
        return CommandBroker.connect(settings);
    }

    private String deadLetterQueue() {
        return settings.relay().getQueue().getDeadLetter();
    }

    private static String body(Message message) throws Exception {
        return message instanceof TextMessage text ? text.getText() : "";
    }

    private static boolean isUploadJob(String body) {
        try {
            var node = JSON.readTree(body);
            return node != null && node.has("integration_id") && node.has("submission");
        } catch (Exception e) {
            return false;
        }
    }

    private static String markReplayed(String body) throws Exception {
        ObjectNode job = (ObjectNode) JSON.readTree(body);
        job.put("replayed", true);
        return JSON.writeValueAsString(job);
    }

    private static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() <= 160 ? flat : flat.substring(0, 157) + "...";
    }
}
