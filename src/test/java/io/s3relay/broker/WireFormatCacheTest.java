package io.s3relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import io.s3relay.embedded.EmbeddedBroker;
import jakarta.jms.Connection;
import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.openwire.OpenWireFormat;
import org.apache.activemq.transport.tcp.TcpTransport;
import org.junit.jupiter.api.Test;

class WireFormatCacheTest {

    @Test
    void addsTheOptionToAPlainUrl() {
        assertThat(WireFormatCache.disabledIn("tcp://broker:61616")).isEqualTo("tcp://broker:61616?wireFormat.cacheEnabled=false");
    }

    @Test
    void addsTheOptionAfterTheOptionsAlreadyThere() {
        assertThat(WireFormatCache.disabledIn("ssl://broker:61617?socket.verifyHostName=true"))
                .isEqualTo("ssl://broker:61617?socket.verifyHostName=true&wireFormat.cacheEnabled=false");
    }

    @Test
    void passesTheOptionToEveryUrlWithinAFailoverUrl() {
        assertThat(WireFormatCache.disabledIn("failover:(tcp://a:61616,tcp://b:61616?keepAlive=true)"))
                .isEqualTo("failover:(tcp://a:61616,tcp://b:61616?keepAlive=true)?nested.wireFormat.cacheEnabled=false");
        assertThat(WireFormatCache.disabledIn("failover:(tcp://a:61616,tcp://b:61616)?randomize=false"))
                .isEqualTo("failover:(tcp://a:61616,tcp://b:61616)?randomize=false&nested.wireFormat.cacheEnabled=false");
    }

    @Test
    void leavesAUrlThatSetsTheCacheItselfAndTheInJvmTransportAsTheyAre() {
        assertThat(WireFormatCache.disabledIn("tcp://broker:61616?wireFormat.cacheEnabled=true"))
                .isEqualTo("tcp://broker:61616?wireFormat.cacheEnabled=true");
        assertThat(WireFormatCache.disabledIn("vm://localhost")).isEqualTo("vm://localhost");
    }

    @Test
    void connectionsToARealBrokerNegotiateTheCacheOff() throws Exception {
        Path dir = Files.createTempDirectory("s3relay-test");
        try (EmbeddedBroker broker = new EmbeddedBroker(dir.toFile(), "tcp://127.0.0.1:0").start()) {
            assertThat(negotiatedCache(broker.url())).as("ActiveMQ's default").isTrue();
            assertThat(negotiatedCache(WireFormatCache.disabledIn(broker.url()))).isFalse();
            assertThat(negotiatedCache(WireFormatCache.disabledIn("failover:(" + broker.url() + ")"))).isFalse();
        }
    }

    private static boolean negotiatedCache(String url) throws Exception {
        Connection connection = new ActiveMQConnectionFactory(url).createConnection();
        try {
            connection.start();
            // a session's creation is a round trip: the wire format has been negotiated once it returns
            connection.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE).close();
            TcpTransport tcp = ((ActiveMQConnection) connection).getTransport().narrow(TcpTransport.class);
            return ((OpenWireFormat) tcp.getWireFormat()).isCacheEnabled();
        } finally {
            connection.close();
        }
    }
}
