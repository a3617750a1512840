package io.s3relay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

import io.s3relay.config.Integration;
import io.s3relay.config.IntegrationsFile;
import io.s3relay.config.InvalidConfigurationException;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * The relay's settings for the commands that do not start Camel, resolved the way Camel resolves them:
 * environment variable ({@code S3RELAY_BROKER_URL}), then system property, then application.properties.
 */
public final class Settings {

    private final Properties defaults;

    private Settings(Properties defaults) {
        this.defaults = defaults;
    }

    public static Settings load() {
        Properties properties = new Properties();
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream("application.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read application.properties", e);
        }
        return new Settings(properties);
    }

    public String get(String name, String defaultValue) {
        String env = System.getenv(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        if (env != null) {
            return env.strip();
        }
        String value = System.getProperty(name, defaults.getProperty(name));
        return value == null ? defaultValue : value.strip();
    }

    /**
     * One integration of the integrations file, read as the relay reads it.
     *
     * @throws InvalidConfigurationException naming the file and why the integration is not usable
     */
    public Integration integration(String id) {
        Path file = Path.of(get("s3relay.integrations.file", "config/integrations.yaml"));
        IntegrationsFile.Contents contents = new IntegrationsFile().read(file);
        Integration integration = contents.integrations().get(id);
        if (integration == null) {
            throw new InvalidConfigurationException("Integration " + id + " is not usable in " + file + ": "
                    + contents.problems().getOrDefault(id, "no such integration"));
        }
        return integration;
    }

    /** A connection factory for the relay's broker, with its credentials when they are set. */
    public ActiveMQConnectionFactory connectionFactory() {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl());
        String user = get("s3relay.broker.username", "");
        if (!user.isBlank()) {
            factory.setUserName(user);
            factory.setPassword(get("s3relay.broker.password", ""));
        }
        return factory;
    }

    /** The broker the relay uses: the configured one, or the embedded default's address. */
    public String brokerUrl() {
        String url = get("s3relay.broker.url", "");
        return url.isBlank() ? get("s3relay.embedded-broker.bind", "tcp://127.0.0.1:61616") : url;
    }
}
