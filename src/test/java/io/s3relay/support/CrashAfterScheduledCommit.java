package io.s3relay.support;

import org.apache.activemq.ScheduledMessage;
import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerFilter;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.ProducerBrokerExchange;
import org.apache.activemq.broker.TransactionBroker;
import org.apache.activemq.command.Message;
import org.apache.activemq.transaction.Synchronization;

/**
 * Kills its broker's JVM (as kill -9 would) at the first transaction that commits after a message with a delay for
 * the scheduler came in: right after the transaction is in the store, before anything the broker does once a
 * transaction has committed. A delayed message sent within that transaction is one of those things: ActiveMQ hands
 * it to its scheduler only then, so this is the moment a crash loses it while the rest of the transaction (the
 * message consumed, the other sends) stays committed.
 */
public final class CrashAfterScheduledCommit implements BrokerPlugin {

    @Override
    public Broker installPlugin(Broker broker) {
        return new BrokerFilter(broker) {
            private volatile boolean delayedMessageSeen;

            @Override
            public void send(ProducerBrokerExchange exchange, Message message) throws Exception {
                if (message.getTransactionId() != null) {
                    // the plugins wrap the scheduler: this runs before the scheduler's own step after the commit
                    TransactionBroker transactions = (TransactionBroker) getAdaptor(TransactionBroker.class);
                    transactions.getTransaction(exchange.getConnectionContext(), message.getTransactionId(), false)
                            .addSynchronization(new Synchronization() {
                                @Override
                                public void afterCommit() {
                                    if (delayedMessageSeen) {
                                        System.out.println("crashing after a commit");
                                        System.out.flush();
                                        Runtime.getRuntime().halt(137);
                                    }
                                }
                            });
                }
                if (message.getProperty(ScheduledMessage.AMQ_SCHEDULED_DELAY) != null) {
                    delayedMessageSeen = true;
                }
                super.send(exchange, message);
            }
        };
    }
}
