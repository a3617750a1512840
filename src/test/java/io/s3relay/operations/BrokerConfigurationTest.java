package io.s3relay.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.s3relay.support.RelayFixture;
import io.s3relay.support.ShippedBroker;
import io.s3relay.support.StoreFilling;
import jakarta.jms.Connection;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ScheduledMessage;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.usage.SystemUsage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker configuration compose and the Kubernetes manifests run (deploy/activemq/activemq.xml), started as a
 * real broker from that file: stores that fit the volume the manifests give it, room kept for the relay's own sends
 * when upstream fills the store, the scheduler the relay's retries wait in, and the statistics its depth gauge reads.
 */
class BrokerConfigurationTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    private BrokerService broker;
    private String url;

    @AfterEach
    void stopTheBroker() throws Exception {
        if (broker != null) {
            broker.stop();
            broker.waitUntilStopped();
        }
    }

    @Test
    void keepsItsThreeStoresTogetherWithinTheVolumeTheManifestsGiveIt() throws Exception {
        long volume = brokerVolumeBytes();
        // as configured: a start on a disk with less free space would lower them to that space
        broker = ShippedBroker.create(dir.resolve("data"), "tcp://127.0.0.1:0");
        SystemUsage usage = broker.getSystemUsage();
        long store = usage.getStoreUsage().getLimit();
        long temp = usage.getTempUsage().getLimit();
        long scheduler = usage.getJobSchedulerUsage().getLimit();

        System.out.printf("broker stores: messages %d GiB, temporary %d GiB, scheduled retries %d GiB on a %d GiB volume%n",
                store >> 30, temp >> 30, scheduler >> 30, volume >> 30);
        // ActiveMQ's own defaults (100, 50 and 50 GB) would let each of them fill the disk
        assertThat(store + temp + scheduler).as("the three stores' limits together, with room for KahaDB's index")
                .isLessThanOrEqualTo(volume * 9 / 10);
        assertThat(scheduler).as("the scheduler's store, where the relay's retries wait").isGreaterThanOrEqualTo(1L << 30);
    }

    @Test
    @Timeout(60)
    void holdsUpstreamsSubmissionsBackAtSeventyPercentOfTheStoreWhileTheRelaysOwnSendsStillGoThrough() throws Exception {
        // the shipped configuration but a store of 100 MiB, to fill it in seconds
        start(100L * MiB);
        StoreFilling filling = new StoreFilling(url);

        int accepted = filling.untilHeldBack("s3relay.submissions", 200);
        int percent = broker.getSystemUsage().getStoreUsage().getPercentUsage();
        System.out.printf("store of 100 MiB: upstream held back after %d submissions of 1 MiB, the store %d %% full%n",
                accepted, percent);
        assertThat(percent).as("the store's use when upstream is held back").isBetween(70, 85);

        // what the relay sends in the transaction of each submission it takes
        filling.inOneTransaction(List.of("s3relay.actions", "s3relay.uploads", "s3relay.dlq"), 5);
        assertThat(broker.getSystemUsage().getStoreUsage().getPercentUsage()).as("the store after the relay's sends")
                .isGreaterThan(percent);
    }

    @Test
    void holdsAScheduledRetryForItsDelayBeforeDeliveringIt() throws Exception {
        start(0);
        try (Connection connection = new ActiveMQConnectionFactory(url).createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue queue = session.createQueue("s3relay.uploads");
            MessageConsumer consumer = session.createConsumer(queue);
            TextMessage retry = session.createTextMessage("{\"job\":1}");
            retry.setLongProperty(ScheduledMessage.AMQ_SCHEDULED_DELAY, 1_500);
            long sent = System.nanoTime();
            session.createProducer(queue).send(retry);

            assertThat(consumer.receive(700)).as("the retry before its delay").isNull();
            Message delivered = consumer.receive(10_000);
            assertThat(delivered).as("the retry after its delay").isNotNull();
            assertThat((System.nanoTime() - sent) / 1_000_000).isGreaterThanOrEqualTo(1_500);
            assertThat(((TextMessage) delivered).getText()).isEqualTo("{\"job\":1}");
        }
    }

    @Test
    void answersTheQueueStatisticsTheRelaysDepthGaugeAsksFor() throws Exception {
        start(0);
        try (Connection connection = new ActiveMQConnectionFactory(url).createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue("s3relay.submissions"));
            for (int i = 0; i < 3; i++) {
                producer.send(session.createTextMessage("{}"));
            }
            Queue replies = session.createTemporaryQueue();
            Message ask = session.createMessage();
            ask.setJMSReplyTo(replies);
            session.createProducer(session.createQueue("ActiveMQ.Statistics.Destination.s3relay.submissions")).send(ask);

            Message answer = session.createConsumer(replies).receive(5_000);
            assertThat(answer).as("the statistics plugin's answer").isInstanceOf(MapMessage.class);
            assertThat(((MapMessage) answer).getLong("size")).isEqualTo(3);
        }
    }

    /** Starts the shipped configuration, with a message store of {@code storeLimit} bytes if not 0. */
    private void start(long storeLimit) throws Exception {
        url = "tcp://127.0.0.1:" + RelayFixture.freePort();
        broker = ShippedBroker.create(dir.resolve("data"), url);
        if (storeLimit > 0) {
            broker.getSystemUsage().getStoreUsage().setLimit(storeLimit);
        }
        broker.start();
        broker.waitUntilStarted();
    }

    private static long brokerVolumeBytes() throws Exception {
        List<JsonNode> documents = YAML.readValues(YAML.createParser(Files.readString(Path.of("deploy/kubernetes/broker.yaml"))),
                JsonNode.class).readAll();
        String request = documents.stream()
                .filter(d -> "PersistentVolumeClaim".equals(d.path("kind").asText()))
                .filter(d -> "activemq-data".equals(d.at("/metadata/name").asText()))
                .findFirst().orElseThrow().at("/spec/resources/requests/storage").asText();
        assertThat(request).as("the broker's volume, in Gi").endsWith("Gi");
        return Long.parseLong(request.substring(0, request.length() - 2)) << 30;
    }
}
