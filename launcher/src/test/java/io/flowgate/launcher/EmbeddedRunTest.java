package io.flowgate.launcher;

import io.flowgate.simulator.Simulator;
import io.flowgate.simulator.SimulatorConfig;
import io.flowgate.simulator.report.LoadReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole system end to end, as the embedded run starts it: the simulator plays Meta and the users
 * over real HTTP (Flows through routing-api, chats through ingest-api and Kafka), and what it expects
 * the analytics to show — sessions reaching each screen, completing, dropping — is what the Flink job
 * wrote to PostgreSQL; the chat's replies went out through the outgoing queue to the Graph API stand-in;
 * the dashboard serves the numbers. A screenshot of the dashboard is kept when Chromium is installed.
 */
class EmbeddedRunTest {

    private static final String FLOW = "device_repair";

    @TempDir
    Path home;

    @Test
    void simulatedTrafficReachesTheAnalyticsTheChatAndTheDashboard() throws Exception {
        Map<String, String> env = TestStack.environment(home, "15s");
        env.put("FLOWGATE_WHATSAPP_PER_USER_INTERVAL", "100ms");
        try (EmbeddedFlowgate flowgate = EmbeddedFlowgate.start(env::get)) {
            LoadReport report = Simulator.start(SimulatorConfig.load()
                    .routingApi(flowgate.routingApi()).ingestApi(flowgate.ingestApi())
                    .publicKey(flowgate.publicKey()).appSecret(flowgate.appSecret()).adminToken(flowgate.adminToken())
                    .graphApi(flowgate.graphApi())
                    .rate(4).duration(Duration.ofSeconds(8)).users(100).seed(7)
                    .build()).await();
            assertThat(report.errors()).as(report.table()).isZero();
            assertThat(report.flows().started()).isPositive();

            // Keep requests coming (each answered request is an endpoint_request event) until the analytics
            // have seen every session through stale-after; routing-api's heartbeats move event time as well
            // (QuietSystemTest shows that alone).
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            HttpClient http = HttpClient.newHttpClient();
            ticker.scheduleAtFixedRate(() -> {
                try {
                    http.send(HttpRequest.newBuilder(flowgate.routingApi().resolve("/flows/endpoint"))
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());
                } catch (Exception ignored) {
                    // the next tick tries again
                }
            }, 0, 500, TimeUnit.MILLISECONDS);
            try {
                Map<String, Long> expectedReached = new TreeMap<>(report.flows().reached());
                expectedReached.remove("SUCCESS");
                long expectedDropped = report.flows().droppedAt().values().stream().mapToLong(Long::longValue).sum();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    Funnel funnel = funnel(flowgate.dbUrl());
                    assertThat(funnel.reached()).as("sessions reaching each screen").isEqualTo(expectedReached);
                    assertThat(funnel.completedAtEntry()).as("completed sessions").isEqualTo(report.flows().completed());
                    assertThat(funnel.dropped()).as("dropped sessions").isEqualTo(expectedDropped);
                });
            } finally {
                ticker.shutdownNow();
            }

            assertThat(report.chats().acknowledged()).isPositive();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(flowgate.graphApi().count()).as("chat replies sent through the Cloud API").isPositive());

            HttpResponse<String> dashboard = http.send(HttpRequest.newBuilder(flowgate.dashboard().resolve("/api/funnel?flow=" + FLOW))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.body()).contains("\"screen\":\"WELCOME\"");
            screenshot(flowgate.dashboard());
        }
    }

    /** The embedded run on free ports, without demo load, with sessions stale after 15 s. */

    record Funnel(Map<String, Long> reached, long completedAtEntry, long dropped) {
    }

    static Funnel funnel(String dbUrl) throws Exception {
        Map<String, Long> reached = new TreeMap<>();
        long completed = 0;
        long dropped = 0;
        try (var c = DriverManager.getConnection(dbUrl, "postgres", "");
             var rs = c.createStatement().executeQuery("SELECT screen, sum(reached), sum(completed), sum(dropped) FROM screen_dropoff "
                     + "WHERE flow_id = '" + FLOW + "' GROUP BY screen")) {
            while (rs.next()) {
                String screen = rs.getString(1);
                if (!screen.equals("SUCCESS")) {
                    reached.put(screen, rs.getLong(2));
                }
                if (screen.equals("WELCOME")) {
                    completed = rs.getLong(3);
                }
                dropped += rs.getLong(4);
            }
        }
        return new Funnel(reached, completed, dropped);
    }

    /** A picture of the dashboard after a real run, for people to look at (target/embedded-run-dashboard.png). */
    private static void screenshot(URI dashboard) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            return;
        }
        Path out = Path.of("target", "embedded-run-dashboard.png").toAbsolutePath();
        Path profile = Files.createTempDirectory("chromium-");
        Process p = new ProcessBuilder("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1400,1800", "--virtual-time-budget=6000",
                "--screenshot=" + out, dashboard.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(60, TimeUnit.SECONDS);
        p.destroyForcibly();
    }
}
