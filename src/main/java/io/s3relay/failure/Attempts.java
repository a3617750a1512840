package io.s3relay.failure;

import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/**
 * Which attempt an exchange is. A retry scheduled through the broker carries its number in
 * {@link FailureHeaders#ATTEMPT}; a rollback redelivery is counted by the broker (JMSXDeliveryCount). Both are
 * on the message, so the count survives restarts.
 */
public final class Attempts {

    private Attempts() {
    }

    public static int of(Exchange exchange) {
        Integer scheduled = exchange.getMessage().getHeader(FailureHeaders.ATTEMPT, Integer.class);
        return (scheduled == null || scheduled < 1 ? 1 : scheduled) + deliveryCount(exchange) - 1;
    }

    private static int deliveryCount(Exchange exchange) {
        Integer count = exchange.getMessage().getHeader("JMSXDeliveryCount", Integer.class);
        if (count == null && exchange.getMessage() instanceof JmsMessage jms && jms.getJmsMessage() != null) {
            try {
                count = jms.getJmsMessage().getIntProperty("JMSXDeliveryCount");
            } catch (Exception ignored) {
                // not set by this broker
            }
        }
        return count == null || count < 1 ? 1 : count;
    }
}
