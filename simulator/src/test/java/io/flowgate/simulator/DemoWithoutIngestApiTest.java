package io.flowgate.simulator;

import io.flowgate.simulator.load.ThinkTime;
import io.flowgate.simulator.report.LoadReport;
import io.flowgate.simulator.support.RoutingApi;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded run starts the demo before ingest-api may be up: Flows must go on, chats wait. */
class DemoWithoutIngestApiTest {

    @Test
    void demoKeepsDrivingFlowsWhenIngestApiIsAbsentAndStopsWhenClosed() throws Exception {
        RoutingApi routingApi = RoutingApi.shared();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SimulatorConfig config = SimulatorConfig.demo()
                .routingApi(routingApi.uri())
                .ingestApi(URI.create("http://localhost:" + closedPort))
                .publicKey(routingApi.publicKey())
                .appSecret(RoutingApi.APP_SECRET)
                .adminToken(RoutingApi.ADMIN_TOKEN)
                .rate(10)
                .chatShare(0.5)
                .thinkTime(new ThinkTime(Duration.ofMillis(10), Duration.ofMillis(50)))
                .graphApiPort(0)
                .seed(3)
                .build();

        LoadReport report;
        try (Simulation demo = Simulator.start(config)) {
            assertThat(demo.graphApi()).isPresent();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (demo.report().flows().completed() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            demo.close();
            report = demo.await();
        }

        assertThat(report.flows().completed()).isGreaterThanOrEqualTo(10);
        assertThat(report.chats().skipped()).isPositive();
        // a lead or two may have found out before the pause; the rest never tried
        assertThat(report.errorsByKind().get("webhook message: ConnectException")).isBetween(1L, 3L);
        assertThat(report.errorsByKind()).containsOnlyKeys("webhook message: ConnectException");
        assertThat(report.checks().unexpected()).isZero();
    }
}
