package io.s3relay.failure;

import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;

/** Which delivery of its JMS message an exchange is: the broker counts, so the count survives restarts. */
public final class Attempts {

    private Attempts() {
    }

    public static int of(Exchange exchange) {
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
