package io.s3relay.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelaySettingsTest {

    private final Properties file = new Properties();
    private DefaultCamelContext context;

    @BeforeEach
    void load() throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            file.load(in);
        }
    }

    @AfterEach
    void close() throws IOException {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void kebabCaseKeysBindToTheTypedGroups() {
        file.setProperty("s3relay.integration.circuit.open-millis", "1234");
        file.setProperty("s3relay.embedded-broker.bind", "tcp://127.0.0.1:1");
        file.setProperty("s3relay.local-s3.port", " 9100 ");

        RelaySettings settings = bind();

        assertThat(settings.getIntegration().getCircuit().getOpenMillis()).isEqualTo(1234);
        assertThat(settings.getEmbeddedBroker().getBind()).isEqualTo("tcp://127.0.0.1:1");
        assertThat(settings.getLocalS3().getPort()).isEqualTo(9100);
        assertThat(settings.getBroker().getUrl()).isEmpty();
        assertThat(RelaySettings.keys()).contains("s3relay.integration.slow-upload-millis", "s3relay.source.s3.path-style",
                "s3relay.queue.dead-letter");
    }

    @Test
    void aMissingSettingIsAnErrorNamingIt() {
        file.remove("s3relay.integration.slow-upload-millis");

        assertThatThrownBy(() -> bind())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("s3relay.integration.slow-upload-millis is not set: give it a value (see application.properties)");
    }

    @Test
    void aValueOfTheWrongTypeIsAnErrorNamingTheSetting() {
        file.setProperty("s3relay.retry.max-attempts", "many");

        assertThatThrownBy(() -> bind())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("s3relay.retry.max-attempts = 'many' is not a valid int value");
    }

    /** As the relay binds them: looked up through Camel's properties component, here holding the file's. */
    private RelaySettings bind() {
        context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(file);
        context.build();
        return RelaySettings.bind(context, context.getPropertiesComponent()::resolveProperty);
    }
}
