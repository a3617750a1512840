package io.s3relay.support;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.activemq.broker.BrokerFactory;
import org.apache.activemq.broker.BrokerService;

/**
 * A broker made from the repository's deploy/activemq/activemq.xml, read as the broker image reads it (its xbean
 * XML), with what the image provides around it: the data and configuration folders, an empty jetty.xml (the web
 * console is the image's) and a credentials file. Only its listening address is changed, so that tests can run
 * several, and a test may add a plugin of its own; everything else is the shipped configuration.
 */
public final class ShippedBroker {

    public static final Path CONFIGURATION = Path.of("deploy", "activemq", "activemq.xml").toAbsolutePath();

    private static final String SHIPPED_BIND = "tcp://0.0.0.0:61616";

    private ShippedBroker() {
    }

    /**
     * The broker of the shipped configuration, its stores under {@code dataDir}, listening on {@code bindUri}; not
     * started.
     *
     * @param testPlugins broker plugins of the tests' own (fault injection), added to the configuration's
     */
    public static BrokerService create(Path dataDir, String bindUri, Class<?>... testPlugins) throws Exception {
        return BrokerFactory.createBroker(new URI("xbean:file:" + stage(dataDir, bindUri, testPlugins).toAbsolutePath()),
                false);
    }

    /**
     * Writes a configuration folder as the image has it, beside {@code dataDir} (one per broker: a pair shares its
     * data), and returns its activemq.xml.
     */
    static Path stage(Path dataDir, String bindUri, Class<?>... testPlugins) throws IOException {
        Path conf = Files.createTempDirectory(dataDir.toAbsolutePath().getParent(), "broker-conf-");
        String xml = Files.readString(CONFIGURATION);
        for (String expected : new String[] {"${activemq.data}", "${activemq.conf}", SHIPPED_BIND, "</plugins>"}) {
            if (!xml.contains(expected)) {
                throw new IllegalStateException(CONFIGURATION + " no longer contains " + expected);
            }
        }
        xml = xml.replace("${activemq.data}", dataDir.toAbsolutePath().toString())
                .replace("${activemq.conf}", conf.toAbsolutePath().toString())
                .replace(SHIPPED_BIND, bindUri);
        for (Class<?> plugin : testPlugins) {
            xml = xml.replace("</plugins>", "    <bean xmlns=\"http://www.springframework.org/schema/beans\" class=\""
                    + plugin.getName() + "\"/>\n        </plugins>");
        }
        Files.writeString(conf.resolve("jetty.xml"), """
                <beans xmlns="http://www.springframework.org/schema/beans"
                       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd"/>
                """);
        Files.writeString(conf.resolve("credentials.properties"), "activemq.username=system\nactivemq.password=manager\n");
        Path activemqXml = conf.resolve("activemq.xml");
        Files.writeString(activemqXml, xml);
        return activemqXml;
    }
}
