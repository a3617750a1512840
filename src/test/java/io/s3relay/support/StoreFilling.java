package io.s3relay.support;

import java.util.List;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * Fills a broker's message store as upstream would in a long outage of the relays, and sends what a relay sends in
 * the transaction of a submission it takes: to see which of them the broker's flow control holds back.
 */
public final class StoreFilling {

    public static final int MESSAGE_BYTES = 1 << 20;

    private final ActiveMQConnectionFactory factory;
    private final String body = "x".repeat(MESSAGE_BYTES);

    public StoreFilling(String brokerUrl) {
        factory = new ActiveMQConnectionFactory(brokerUrl);
        // a send held by the broker's flow control fails here after 3 s instead of waiting for space
        factory.setSendTimeout(3_000);
        // and a connection whose send the broker still holds closes without waiting 15 s for it
        factory.setCloseTimeout(1_000);
    }

    /** Sends messages of 1 MiB to {@code queue} until the broker holds one back; returns how many it took. */
    public int untilHeldBack(String queue, int most) throws JMSException {
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            for (int accepted = 0; accepted < most; accepted++) {
                try {
                    producer.send(session.createTextMessage(body));
                } catch (JMSException heldBack) {
                    return accepted;
                }
            }
            throw new AssertionError("the broker took " + most + " messages of 1 MiB to " + queue + " and held none back");
        }
    }

    /** Sends {@code each} messages of 1 MiB to each queue in one transaction, on a connection of its own. */
    public void inOneTransaction(List<String> queues, int each) throws JMSException {
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            for (String queue : queues) {
                MessageProducer producer = session.createProducer(session.createQueue(queue));
                for (int i = 0; i < each; i++) {
                    producer.send(session.createTextMessage(body));
                }
            }
            session.commit();
        }
    }
}
