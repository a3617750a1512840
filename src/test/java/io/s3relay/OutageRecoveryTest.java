package io.s3relay;

import static io.s3relay.FaultInjectionTest.awaitAll;
import static io.s3relay.FaultInjectionTest.ids;
import static io.s3relay.FaultInjectionTest.processedCount;
import static io.s3relay.FaultInjectionTest.sendSlowly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.s3relay.FaultInjectionTest.Figures;
import io.s3relay.support.RelayFixture.S3Server;
import io.s3relay.support.RelayRouteTestSupport;
import org.junit.jupiter.api.Test;

/**
 * Faults of the servers under a running relay: an S3 outage and a broker restart, on the class's real servers with
 * the relay on the route test kit. Each ends with every object stored and every job with its terminal status, and
 * prints its figures as {@link FaultInjectionTest} does.
 */
class OutageRecoveryTest extends RelayRouteTestSupport {

    private static final String TEMPLATE = "path_template: \"{{ submission_id }}.pdf\"";

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "s3relay.retry.initial-delay", "200",
                "s3relay.retry.max-delay", "2000",
                "s3relay.retry.max-attempts", "60",
                "s3relay.integration.circuit.open-millis", "2000");
    }

    @Test
    void deliversEverythingOnceAnS3ServerIsBackFromA20SecondOutage() throws Exception {
        context.start();
        Tenant tenant = tenant(servers.serverA, TEMPLATE);
        List<String> ids = ids(200);

        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendSlowly(servers, tenant.account(), ids, 50));
        Thread.sleep(2_000);
        S3Server restarted = servers.restartS3(servers.serverA, Duration.ofSeconds(20));
        sending.join();

        Figures figures = awaitAll(servers, ids, tenant.integration(), tenant.bucket(), restarted, Duration.ofSeconds(120));
        figures.print("S3 server stopped for 20 s while 200 submissions flow", 1);
        assertThat(figures.lost()).isZero();
        assertThat(figures.failed()).isZero();
    }

    @Test
    void deliversEverythingAcrossABrokerRestart() throws Exception {
        context.start();
        Tenant tenant = tenant(servers.serverA, TEMPLATE);
        List<String> ids = ids(200);
        sendSlowly(servers, tenant.account(), ids.subList(0, 100), 10);

        await().atMost(Duration.ofSeconds(60)).until(() -> processedCount(servers, ids, tenant.integration()) >= 30);
        servers.restartBroker(Duration.ofSeconds(5));
        sendSlowly(servers, tenant.account(), ids.subList(100, 200), 10);

        Figures figures = awaitAll(servers, ids, tenant.integration(), tenant.bucket(), servers.serverA, Duration.ofSeconds(120));
        figures.print("broker stopped for 5 s and restarted in the middle of 200 submissions", 1);
        assertThat(figures.lost()).isZero();
        assertThat(figures.failed()).isZero();
    }
}
