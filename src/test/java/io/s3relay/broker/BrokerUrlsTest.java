package io.s3relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;

/** The command line's broker URLs: bounded attempts, and shown without credentials. */
class BrokerUrlsTest {

    @Test
    void boundsAFailoverUrlsStartupAttemptsAndSends() {
        assertThat(BrokerUrls.bounded("failover:(tcp://a:61616,tcp://b:61616)?randomize=false", 1, 5000))
                .isEqualTo("failover:(tcp://a:61616,tcp://b:61616)?randomize=false&startupMaxReconnectAttempts=1"
                        + "&timeout=5000&nested.connectionTimeout=5000");
        assertThat(BrokerUrls.bounded("failover:tcp://a:61616", 1, 5000))
                .isEqualTo("failover:(tcp://a:61616)?startupMaxReconnectAttempts=1&timeout=5000&nested.connectionTimeout=5000");
    }

    @Test
    void keepsTheOptionsTheUrlSetsItself() {
        assertThat(BrokerUrls.bounded("failover:(tcp://a:61616)?startupMaxReconnectAttempts=5&timeout=100", 1, 5000))
                .isEqualTo("failover:(tcp://a:61616)?startupMaxReconnectAttempts=5&timeout=100&nested.connectionTimeout=5000");
        assertThat(BrokerUrls.bounded("tcp://a:61616?connectionTimeout=100", 1, 5000)).isEqualTo("tcp://a:61616?connectionTimeout=100");
    }

    @Test
    void givesATcpUrlAConnectTimeoutAndLeavesOthersAlone() {
        assertThat(BrokerUrls.bounded("tcp://a:61616", 1, 5000)).isEqualTo("tcp://a:61616?connectionTimeout=5000");
        assertThat(BrokerUrls.bounded("ssl://a:61617?x=1", 1, 5000)).isEqualTo("ssl://a:61617?x=1&connectionTimeout=5000");
        assertThat(BrokerUrls.bounded("vm://embedded", 1, 5000)).isEqualTo("vm://embedded");
    }

    @Test
    void theBoundedUrlsAreOnesTheClientAccepts() {
        new ActiveMQConnectionFactory(BrokerUrls.bounded("failover:(tcp://a:61616,tcp://b:61616)", 1, 5000));
        new ActiveMQConnectionFactory(BrokerUrls.bounded("tcp://a:61616", 1, 5000));
    }

    @Test
    void showsAUrlWithoutItsCredentials() {
        assertThat(BrokerUrls.shown("tcp://relay:s3cret@broker:61616?jms.password=s3cret&jms.userName=relay&randomize=false"))
                .isEqualTo("tcp://broker:61616?jms.password=REDACTED&jms.userName=relay&randomize=false");
        assertThat(BrokerUrls.shown("failover:(tcp://u:p@a:61616,tcp://b:61616)?nested.secretKey=k"))
                .isEqualTo("failover:(tcp://a:61616,tcp://b:61616)?nested.secretKey=REDACTED");
        assertThat(BrokerUrls.shown("tcp://127.0.0.1:61616")).isEqualTo("tcp://127.0.0.1:61616");
    }
}
