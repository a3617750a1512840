package io.s3relay.bench;

import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;

/**
 * The second tenant: while one account's backlog drains, another account sends a submission every
 * {@link #INTERVAL_MILLIS} ms; {@link #stop} returns how many it sent.
 */
record TenantSender(ScheduledExecutorService executor, Session session, AtomicInteger sent) {

    static final long INTERVAL_MILLIS = 250;

    /** Starts sending into {@code submissions} now, until {@code backlog} has {@code backlogSize} submissions done. */
    static TenantSender start(Connection connection, String submissions, String name, Path pdfFile, Drain tenant,
                              Drain backlog, int backlogSize) throws Exception {
        Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageProducer producer = session.createProducer(session.createQueue(submissions));
        producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger sent = new AtomicInteger();
        executor.scheduleAtFixedRate(() -> {
            if (backlog.done() >= backlogSize) {
                return;
            }
            try {
                String id = String.format("sub_%s_other_%05d", name.replace('.', '_'), sent.get());
                tenant.add(id, 1, System.nanoTime());
                producer.send(session.createTextMessage(BenchRelays.submission(id, "acc_other", pdfFile)));
                sent.incrementAndGet();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        return new TenantSender(executor, session, sent);
    }

    int stop() throws Exception {
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the second tenant's sender did not stop");
        }
        session.close();
        return sent.get();
    }
}
