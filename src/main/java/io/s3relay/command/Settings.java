package io.s3relay.command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.s3relay.config.Integration;
import io.s3relay.config.IntegrationsFile;
import io.s3relay.config.InvalidConfigurationException;
import io.s3relay.settings.RelaySettings;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesSource;

/**
 * The relay's settings for the commands that do not start Camel, resolved the way Camel resolves them:
 * environment variable ({@code S3RELAY_BROKER_URL}), then system property, then application.properties.
 */
public final class Settings {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i)(password|secret|access.key|token)");

    private final Properties defaults;
    private RelaySettings relay;

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

    /**
     * The settings, bound as the relay binds them (see {@link RelaySettings}), from these sources.
     *
     * @throws ExplainedFailure naming a setting that is not set or not valid
     */
    public RelaySettings relay() {
        if (relay == null) {
            // built for its type converters, never started
            DefaultCamelContext context = new DefaultCamelContext();
            try {
                // a value's {{placeholders}} resolve from the same sources
                context.getPropertiesComponent().addPropertiesSource(new PropertiesSource() {
                    @Override
                    public String getName() {
                        return "s3relay-settings";
                    }

                    @Override
                    public String getProperty(String name) {
                        return lookup(name).orElse(null);
                    }
                });
                context.build();
                relay = RelaySettings.bind(context, this::lookup);
            } catch (IllegalArgumentException e) {
                throw new ExplainedFailure(ExplainedFailure.USAGE, e.getMessage());
            }
        }
        return relay;
    }

    private Optional<String> lookup(String name) {
        String env = System.getenv(environmentVariable(name));
        if (env != null) {
            return Optional.of(env.strip());
        }
        return Optional.ofNullable(System.getProperty(name, defaults.getProperty(name))).map(String::strip);
    }

    /** The environment variable of a setting: upper case, dots and dashes as underscores. */
    private static String environmentVariable(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * One integration of the integrations file, read as the relay reads it.
     *
     * @throws InvalidConfigurationException naming the file and why the integration is not usable
     */
    public Integration integration(String id) {
        Path file = Path.of(relay().getIntegrations().getFile());
        IntegrationsFile.Contents contents = new IntegrationsFile().read(file);
        Integration integration = contents.integrations().get(id);
        if (integration == null) {
            throw new InvalidConfigurationException("Integration " + id + " is not usable in " + file + ": "
                    + contents.problems().getOrDefault(id, "no such integration"));
        }
        return integration;
    }

    /** A connection factory for the given URL of the relay's broker, with the broker credentials when they are set. */
    public ActiveMQConnectionFactory connectionFactory(String url) {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        RelaySettings.Broker broker = relay().getBroker();
        if (!broker.getUsername().isBlank()) {
            factory.setUserName(broker.getUsername());
            factory.setPassword(broker.getPassword());
        }
        return factory;
    }

    /** Whether s3relay.broker.url names the broker, rather than the embedded broker of the default run. */
    public boolean externalBroker() {
        return !relay().getBroker().getUrl().isBlank();
    }

    /**
     * The environment variables that set one of the relay's settings (S3RELAY_BROKER_URL for s3relay.broker.url), by
     * name: they take precedence over -Dname=value.
     */
    public List<String> environmentOverrides() {
        List<String> set = new ArrayList<>();
        for (String name : new TreeSet<>(defaults.stringPropertyNames())) {
            String variable = environmentVariable(name);
            if (System.getenv(variable) != null) {
                set.add(variable);
            }
        }
        return set;
    }

    /**
     * The values of the settings that are secrets (names with password, secret or key in them, and access keys), as
     * set: what a message or a stack trace must never show.
     */
    public List<String> secretValues() {
        Set<String> names = new TreeSet<>();
        defaults.stringPropertyNames().forEach(names::add);
        System.getProperties().stringPropertyNames().forEach(names::add);
        List<String> values = new ArrayList<>();
        for (String name : names) {
            if (SECRET_NAME.matcher(name).find()) {
                String value = lookup(name).orElse("");
                if (value.length() >= 4) {
                    values.add(value);
                }
            }
        }
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("S3RELAY_") && SECRET_NAME.matcher(name).find() && value.strip().length() >= 4) {
                values.add(value.strip());
            }
        });
        // the longest first, so that a secret holding another one is replaced whole
        values.sort(java.util.Comparator.comparingInt(String::length).reversed());
        return values;
    }

    /** The text with every secret setting's value, and the user info of URLs, replaced. */
    public String scrub(String text) {
        String scrubbed = text;
        for (String secret : secretValues()) {
            scrubbed = scrubbed.replace(secret, "REDACTED");
        }
        return scrubbed.replaceAll("//[^/\\s@]*:[^/\\s@]*@", "//REDACTED@");
    }

    /** The broker the relay uses: the configured one, or the embedded default's address. */
    public String brokerUrl() {
        String url = relay().getBroker().getUrl();
        return url.isBlank() ? relay().getEmbeddedBroker().getBind() : url;
    }
}
