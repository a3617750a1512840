package io.s3relay.monitoring;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code s3relay_queue_depth{queue}} on /observe/metrics: the messages waiting in each of the relay's queues, asked
 * of ActiveMQ's statistics plugin ({@code ActiveMQ.Statistics.Destination.<queue>}) at a fixed interval. The
 * embedded broker has the plugin; an external broker needs {@code <statisticsBrokerPlugin/>}, and without it the
 * gauges read NaN. Requests are non-persistent and expire, so a broker without the plugin does not keep them.
 */
public class QueueDepths implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueDepths.class);
    private static final String STATISTICS = "ActiveMQ.Statistics.Destination.";
    private static final long REPLY_TIMEOUT_MILLIS = 2000;

    private final ConnectionFactory factory;
    private final List<String> queues;
    private final Supplier<MeterRegistry> registry;
    private final Map<String, Double> depths = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private Connection connection;
    private MeterRegistry registered;
    private boolean warnedNoStatistics;

    /** @param timer a single-threaded scheduler, shut down by {@link #close()} */
    public QueueDepths(ConnectionFactory factory, List<String> queues, Supplier<MeterRegistry> registry,
                       ScheduledExecutorService timer) {
        this.factory = factory;
        this.queues = List.copyOf(queues);
        this.registry = registry;
        this.timer = timer;
        queues.forEach(queue -> depths.put(queue, Double.NaN));
    }

    public QueueDepths start(long intervalMillis) {
        timer.scheduleWithFixedDelay(this::refreshQuietly, 0, intervalMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** The last depth read of a queue; NaN before the first answer, or when the broker gives no statistics. */
    public double depth(String queue) {
        return depths.getOrDefault(queue, Double.NaN);
    }

    private void refreshQuietly() {
        try {
            registerGauges();
            refresh();
        } catch (Exception e) {
            LOG.debug("Queue depths not read: {}", e.toString());
            queues.forEach(queue -> depths.put(queue, Double.NaN));
            closeConnection();
        }
    }

    void refresh() throws JMSException {
        if (connection == null) {
            connection = factory.createConnection();
            connection.start();
        }
        try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            TemporaryQueue replies = session.createTemporaryQueue();
            try (MessageConsumer consumer = session.createConsumer(replies);
                    MessageProducer producer = session.createProducer(null)) {
                producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
                producer.setTimeToLive(REPLY_TIMEOUT_MILLIS * 2);
                Map<String, Double> read = new java.util.HashMap<>();
                for (String queue : queues) {
                    Message request = session.createMessage();
                    request.setJMSReplyTo(replies);
                    producer.send(session.createQueue(STATISTICS + queue), request);
                    Message reply = consumer.receive(REPLY_TIMEOUT_MILLIS);
                    if (reply instanceof MapMessage statistics) {
                        read.put(queue, (double) statistics.getLong("size"));
                    }
                }
                if (read.isEmpty() && !warnedNoStatistics) {
                    warnedNoStatistics = true;
                    LOG.warn("The broker answers no queue statistics, so s3relay_queue_depth is NaN: enable "
                            + "ActiveMQ's statisticsBrokerPlugin to see queue depths");
                }
                // the plugin answers for queues that exist; once it answered at all, a missing queue is empty
                queues.forEach(queue -> depths.put(queue, read.isEmpty() ? Double.NaN : read.getOrDefault(queue, 0.0)));
            } finally {
                replies.delete();
            }
        }
    }

    private void registerGauges() {
        MeterRegistry meters = registry.get();
        if (meters != null && meters != registered) {
            for (String queue : queues) {
                Gauge.builder("s3relay.queue.depth", this, depths -> depths.depth(queue))
                        .description("Messages waiting in one of the relay's queues, from the broker's statistics")
                        .tag("queue", queue).register(meters);
            }
            registered = meters;
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException e) {
                LOG.debug("Closing the queue-depth connection: {}", e.toString());
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
