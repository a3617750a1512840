package io.s3relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.s3relay.embedded.EmbeddedBroker;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionPerSessionFactoryTest {

    @TempDir
    Path dir;

    private EmbeddedBroker broker;
    private Connection connection;

    @BeforeEach
    void connect() throws Exception {
        broker = new EmbeddedBroker(dir.toFile(), "tcp://127.0.0.1:0").start();
        connection = new ConnectionPerSessionFactory(new ActiveMQConnectionFactory(broker.url())).createConnection();
    }

    @AfterEach
    void disconnect() throws Exception {
        connection.close();
        broker.close();
    }

    @Test
    void givesEachSessionABrokerConnectionOfItsOwn() throws Exception {
        connection.createSession(true, Session.SESSION_TRANSACTED);
        connection.createSession(true, Session.SESSION_TRANSACTED);
        connection.start();

        assertThat(broker.service().getBroker().getClients()).as("the control connection and one per session").hasSize(3);
    }

    @Test
    void keepsOneProducerPerDestinationForTheSessionsLife() throws Exception {
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        Queue queue = session.createQueue("statuses");
        for (String text : new String[] {"first", "second"}) {
            MessageProducer loan = session.createProducer(queue);
            loan.send(session.createTextMessage(text));
            loan.close();
        }
        session.commit();

        assertThat(producerOf(receive(queue))).isEqualTo(producerOf(receive(queue)));
    }

    @Test
    void closingALoanedProducerPutsBackWhatTheBorrowerChanged() throws Exception {
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        Queue queue = session.createQueue("statuses");
        MessageProducer loan = session.createProducer(queue);
        loan.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        loan.setPriority(9);
        loan.setTimeToLive(60_000);
        loan.setDisableMessageTimestamp(true);
        loan.close();

        MessageProducer next = session.createProducer(queue);
        assertThat(next.getDeliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
        assertThat(next.getPriority()).isEqualTo(Message.DEFAULT_PRIORITY);
        assertThat(next.getTimeToLive()).isZero();
        assertThat(next.getDisableMessageTimestamp()).isFalse();
    }

    private Message receive(Queue queue) throws Exception {
        Connection plain = new ActiveMQConnectionFactory(broker.url()).createConnection();
        try {
            plain.start();
            Session session = plain.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(queue);
            Message message = consumer.receive(10_000);
            assertThat(message).as("a message on " + queue).isNotNull();
            return message;
        } finally {
            plain.close();
        }
    }

    private static Object producerOf(Message message) {
        return ((ActiveMQMessage) message).getMessageId().getProducerId();
    }
}
