package io.s3relay.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The fastest things a user could write by hand for the relay's job, with no Camel: plain transacted JMS consumers,
 * Jackson and the AWS SDK. {@link #ceiling} is the ceiling; {@link #twoHop} does the relay's exact messaging.
 */
final class HandWrittenCeilings {

    /** The hand-written consumer's consumers and prefetch as the defaults benchmark runs it: the relay's defaults. */
    static final int CONSUMERS = 8;
    static final int PREFETCH = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** -Dbench.ceiling.connection-per-session=true gives the one-hop ceiling's consumers a connection each too. */
    private static final boolean CEILING_CONNECTION_PER_SESSION = Boolean.getBoolean("bench.ceiling.connection-per-session");

    private HandWrittenCeilings() {
    }

    /**
     * A transacted consumer per unit of concurrency: parse the submission, one PutObject per integration, a processed
     * status per upload, one commit. With {@code pending}, a pending status before each upload too, as the relay
     * sends: as many statuses as the relay's, but of four fields each (no account, attempts, time or result data,
     * which the relay's carry), and the key is joined, not rendered from a template.
     */
    static AutoCloseable ceiling(String brokerUrl, URI s3, String input, String actions, int integrations,
                                 int concurrency, String keyPrefix, boolean pending) throws Exception {
        S3Client client = client(s3);
        List<Connection> connections = new ArrayList<>();
        Connection shared = connect(brokerUrl, connections);
        for (int c = 0; c < concurrency; c++) {
            Session session = (CEILING_CONNECTION_PER_SESSION ? connect(brokerUrl, connections) : shared)
                    .createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue(input));
            MessageProducer statuses = session.createProducer(session.createQueue(actions));
            statuses.setDeliveryMode(DeliveryMode.PERSISTENT);
            consumer.setMessageListener(message -> {
                try {
                    JsonNode submission = JSON.readTree(((TextMessage) message).getText()).path("submission");
                    String id = submission.path("id").asText();
                    Path pdf = Path.of(URI.create(submission.path("download_url").asText()));
                    for (int i = 0; i < integrations; i++) {
                        if (pending) {
                            statuses.send(session.createTextMessage("{\"action_type\":\"aws_s3_upload\",\"state\":\"pending\","
                                    + "\"integration_id\":\"int_" + i + "\",\"submission_id\":\"" + id + "\"}"));
                        }
                        client.putObject(PutObjectRequest.builder().bucket("bench").key(keyPrefix + "/" + i + "/" + id + ".pdf")
                                .contentType("application/pdf").build(), RequestBody.fromFile(pdf));
                        statuses.send(session.createTextMessage("{\"action_type\":\"aws_s3_upload\",\"state\":\"processed\","
                                + "\"integration_id\":\"int_" + i + "\",\"submission_id\":\"" + id + "\"}"));
                    }
                    session.commit();
                } catch (Exception e) {
                    rollback(session);
                }
            });
        }
        return () -> close(connections, client);
    }

    /**
     * The ceiling doing the relay's work per upload: submission in, one job message and one pending status per
     * integration out (one transaction); then per job, one PutObject and a processed status (one transaction). The
     * relay's consumers (2 and {@code concurrency}), each on a broker connection of its own as the relay's are.
     */
    static AutoCloseable twoHop(String brokerUrl, URI s3, String input, String actions, int integrations,
                                int concurrency, String keyPrefix) throws Exception {
        S3Client client = client(s3);
        List<Connection> connections = new ArrayList<>();
        String jobs = input + ".jobs";
        for (int c = 0; c < 2; c++) {
            Session session = connect(brokerUrl, connections).createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue(input));
            MessageProducer toJobs = session.createProducer(session.createQueue(jobs));
            MessageProducer statuses = session.createProducer(session.createQueue(actions));
            consumer.setMessageListener(message -> {
                try {
                    JsonNode submission = JSON.readTree(((TextMessage) message).getText()).path("submission");
                    String id = submission.path("id").asText();
                    for (int i = 0; i < integrations; i++) {
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
        for (int c = 0; c < concurrency; c++) {
            Session session = connect(brokerUrl, connections).createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue(jobs));
            MessageProducer statuses = session.createProducer(session.createQueue(actions));
            consumer.setMessageListener(message -> {
                try {
                    JsonNode job = JSON.readTree(((TextMessage) message).getText());
                    String integration = job.path("integration_id").asText();
                    String id = job.path("submission").path("id").asText();
                    Path pdf = Path.of(URI.create(job.path("submission").path("download_url").asText()));
                    client.putObject(PutObjectRequest.builder().bucket("bench")
                            .key(keyPrefix + "/" + integration + "/" + id + ".pdf")
                            .contentType("application/pdf").build(), RequestBody.fromFile(pdf));
                    statuses.send(session.createTextMessage("{\"action_type\":\"aws_s3_upload\",\"state\":\"processed\","
                            + "\"integration_id\":\"" + integration + "\",\"submission_id\":\"" + id + "\"}"));
                    session.commit();
                } catch (Exception e) {
                    rollback(session);
                }
            });
        }
        return () -> close(connections, client);
    }

    /** The broker URL with the consumers' prefetch of {@link #PREFETCH}. */
    static String withPrefetch(String brokerUrl) {
        return brokerUrl + "?jms.prefetchPolicy.queuePrefetch=" + PREFETCH;
    }

    private static S3Client client(URI s3) {
        return S3Client.builder().region(Region.US_EAST_1).endpointOverride(s3).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret")))
                .build();
    }

    private static Connection connect(String brokerUrl, List<Connection> connections) throws Exception {
        Connection connection = new ActiveMQConnectionFactory(brokerUrl).createConnection();
        connection.start();
        connections.add(connection);
        return connection;
    }

    private static void close(List<Connection> connections, S3Client client) throws Exception {
        for (Connection connection : connections) {
            connection.close();
        }
        client.close();
    }

    private static void rollback(Session session) {
        try {
            session.rollback();
        } catch (Exception ignored) {
            // the broker redelivers
        }
    }
}
