package io.s3relay.support;

import java.util.Map;
import java.util.Properties;

import io.s3relay.RelayConfiguration;
import io.s3relay.config.IntegrationRegistry;
import io.s3relay.support.RelayFixture.S3Server;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Route tests with Camel's test kit: the relay's own Camel Main configuration and YAML routes, booted for each
 * test on the class's real broker and S3 servers ({@link RelayFixture#serversOnly}). The relay starts when the
 * test calls {@code context.start()}, after advising the routes it needs to. A class whose tests advise no route
 * may keep one relay for all of them with {@code @TestInstance(PER_CLASS)}.
 */
public abstract class RelayRouteTestSupport extends CamelMainTestSupport {

    protected static RelayFixture servers;

    /** The class's relay, stopped before its servers: one left running would try to reach a broker that is gone. */
    private static CamelContext relay;

    @BeforeAll
    static void startServers() throws Exception {
        if (servers == null) {
            servers = RelayFixture.serversOnly(Map.of());
        }
    }

    @AfterAll
    static void stopServers() throws Exception {
        // with @TestInstance(PER_CLASS) the kit stops its relay only after @AfterAll: stop it here, first
        if (relay != null) {
            relay.stop();
            relay = null;
        }
        if (servers != null) {
            servers.close();
            servers = null;
        }
    }

    /** Settings of the test class's own, on top of those that point the relay at the servers. */
    protected Map<String, String> settings() {
        return Map.of();
    }

    @Override
    protected void doPostSetup() throws Exception {
        super.doPostSetup();
        relay = context;
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(RelayConfiguration.class);
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        try {
            // a class with one relay for all its tests (@TestInstance PER_CLASS) is made before @BeforeAll runs
            startServers();
        } catch (Exception e) {
            throw new IllegalStateException("the relay's test servers did not start", e);
        }
        Properties properties = new Properties();
        properties.putAll(servers.relayProperties());
        properties.putAll(settings());
        return properties;
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    /** Writes the integrations into the relay's file and puts them in force at once, before or after it starts. */
    protected void addIntegrations(String... items) {
        servers.addIntegrations(items);
        integrations().reload();
    }

    /** The relay's integrations, as the routes see them. */
    protected IntegrationRegistry integrations() {
        return context.getRegistry().lookupByNameAndType("integrations", IntegrationRegistry.class);
    }

    /** An account with one integration, {@code int_<account>}, writing into a bucket of its own. */
    public record Tenant(String account, String integration, String bucket) {
    }

    /** A new account whose one integration writes into a new bucket on the server, put in force. */
    protected Tenant tenant(S3Server server, String extraYaml) {
        return tenant(server, server.endpoint(), extraYaml);
    }

    /**
     * {@link #tenant(S3Server, String)} with the server's credentials but another endpoint: a closed port, a slow
     * proxy in front of the server...
     */
    protected Tenant tenant(S3Server server, String endpoint, String extraYaml) {
        String account = RelayFixture.newId("acc");
        Tenant tenant = new Tenant(account, "int_" + account, servers.newBucket(server));
        addIntegrations(RelayFixture.integration(tenant.integration(), account, server, endpoint, tenant.bucket(), extraYaml));
        return tenant;
    }
}
