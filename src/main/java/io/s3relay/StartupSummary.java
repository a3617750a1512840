package io.s3relay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Properties;

import io.s3relay.broker.BrokerUrls;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up log's last word: the addresses the relay actually listens on (Camel's own summary says 0.0.0.0 for a
 * management server bound to 127.0.0.1, and is turned off in log4j2.properties), and how to send a first submission.
 */
final class StartupSummary {

    private static final Logger LOG = LoggerFactory.getLogger(StartupSummary.class);

    private StartupSummary() {
    }

    /**
     * @param managementHost the management server's bind host, null when it is off
     * @param broker         the broker as it may be shown (embedded: its bound address)
     * @param sendUrl        the URL {@code send} needs to reach that broker
     * @param localStore     the local S3 store as it may be shown, null when it is off
     * @param dataDir        s3relay.data.dir, where send --sample must write its PDF for the relay to read it
     */
    static void logWhenStarted(CamelContext context, String managementHost, int managementPort, String broker,
                               String sendUrl, String localStore, String dataDir) throws Exception {
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // the routes are not up yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                String management = managementHost == null ? "off (camel.management.enabled=false)"
                        : "http://" + hostForUrl(managementHost) + ":" + boundPort(started, managementPort)
                        + "/observe/health" + ("0.0.0.0".equals(managementHost) || "::".equals(managementHost)
                        ? " (all interfaces)" : "");
                LOG.info("s3-relay is up. Management: {}; broker: {}; local S3 store: {}", management, broker,
                        localStore == null ? "off" : localStore);
                LOG.info("Send a first submission with: {}", sendCommand(sendUrl, dataDir));
            }
        });
    }

    /** The management server's port as bound (it may be asked for port 0), or the configured one. */
    private static int boundPort(CamelContext context, int configured) {
        try {
            VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
            if (server != null && server.getServer() != null && server.getServer().actualPort() > 0) {
                return server.getServer().actualPort();
            }
        } catch (RuntimeException | LinkageError e) {
            // the configured port is right unless it was 0
        }
        return configured;
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** send --sample as the operator types it, with the settings that send would not find by itself. */
    static String sendCommand(String sendUrl, String dataDir) {
        Properties bundled = bundled();
        String byDefault = bundled.getProperty("s3relay.broker.url", "").strip();
        byDefault = byDefault.isEmpty() ? bundled.getProperty("s3relay.embedded-broker.bind", "").strip() : byDefault;
        StringBuilder command = new StringBuilder("java");
        if (sendUrl != null && !sendUrl.equals(byDefault)) {
            if (!BrokerUrls.shown(sendUrl).equals(sendUrl)) {
                return "java -jar " + jar() + " send --sample (with the relay's s3relay.broker.* settings)";
            }
            command.append(" -Ds3relay.broker.url=").append(sendUrl);
        }
        if (dataDir != null && !dataDir.equals(bundled.getProperty("s3relay.data.dir", "").strip())) {
            command.append(" -Ds3relay.data.dir=").append(dataDir);
        }
        return command.append(" -jar ").append(jar()).append(" send --sample").toString();
    }

    /** application.properties as shipped: what send uses when no setting overrides it. */
    private static Properties bundled() {
        Properties bundled = new Properties();
        try (InputStream in = StartupSummary.class.getClassLoader().getResourceAsStream("application.properties")) {
            if (in != null) {
                bundled.load(in);
            }
        } catch (IOException e) {
            // then every setting is given on the command line
        }
        return bundled;
    }

    /** The relay's jar as the working directory sees it; target/s3-relay.jar when it runs from classes. */
    private static String jar() {
        try {
            Path location = Path.of(StartupSummary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (location.toString().endsWith(".jar")) {
                Path relative = Path.of("").toAbsolutePath().relativize(location);
                return relative.toString().startsWith("..") ? location.toString() : relative.toString();
            }
        } catch (Exception e) {
            // below
        }
        return "target/s3-relay.jar";
    }
}
