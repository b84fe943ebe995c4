package io.flowgate.launcher;

import io.flowgate.simulator.Simulator;
import io.flowgate.simulator.SimulatorConfig;
import io.flowgate.simulator.report.LoadReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded run killed with SIGKILL while its analytics are still catching up, and started again on the
 * same {@code FLOWGATE_HOME}: Kafka's records and offsets, PostgreSQL's rows and the analytics job's retained
 * checkpoint are all there, so the funnel at the end is exactly what the load sent before and after the kill
 * (the simulator's own count). Then a SIGTERM stops it cleanly, with a savepoint. The run is a child JVM
 * ({@link FlowgateChild}), because only a process of its own can be killed like that.
 */
class EmbeddedRestartTest {

    @TempDir
    Path home;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() throws Exception {
        for (Process child : children) {
            if (child.isAlive()) {
                child.destroy();
                if (!child.waitFor(90, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    @Test
    @Timeout(360)
    void aRunKilledWithSigkillAndStartedAgainOnTheSameHomeChangesNoNumber() throws Exception {
        Process first = start(1);
        Properties run = awaitRun(first);
        LoadReport before = load(run, 7);
        // killed once the analytics have written rows and retained a checkpoint, not waiting for them to finish
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                !EmbeddedRunTest.funnel(run.getProperty("db-url")).reached().isEmpty()
                        && new RetainedState(home).latest().isPresent());
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        Process second = start(2);
        Properties again = awaitRun(second);
        assertThat(Files.readString(log(2))).contains("resuming flowgate-analytics from " + home.resolve("checkpoints"));
        LoadReport after = load(again, 8);

        Map<String, Long> expectedReached = new TreeMap<>(before.flows().reached());
        after.flows().reached().forEach((screen, n) -> expectedReached.merge(screen, n, Long::sum));
        expectedReached.remove("SUCCESS");
        long expectedCompleted = before.flows().completed() + after.flows().completed();
        long expectedDropped = before.flows().droppedAt().values().stream().mapToLong(Long::longValue).sum()
                + after.flows().droppedAt().values().stream().mapToLong(Long::longValue).sum();
        assertThat(expectedDropped).as("the load leaves sessions to go stale").isPositive();

        // event time moves only with events: keep requests coming until every session is past stale-after
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        HttpClient http = HttpClient.newHttpClient();
        URI endpoint = URI.create(again.getProperty("routing-api")).resolve("/flows/endpoint");
        ticker.scheduleAtFixedRate(() -> {
            try {
                http.send(HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (Exception ignored) {
                // the next tick tries again
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                EmbeddedRunTest.Funnel funnel = EmbeddedRunTest.funnel(again.getProperty("db-url"));
                assertThat(funnel.reached()).as("sessions reaching each screen, before and after the kill").isEqualTo(expectedReached);
                assertThat(funnel.completedAtEntry()).as("completed sessions").isEqualTo(expectedCompleted);
                assertThat(funnel.dropped()).as("dropped sessions").isEqualTo(expectedDropped);
            });
        } finally {
            ticker.shutdownNow();
        }

        second.destroy();
        assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("SIGTERM stops the run").isTrue();
        assertThat(second.exitValue()).isZero();
        assertThat(Files.readString(log(2))).contains("flowgate-analytics stopped with a savepoint");
        assertThat(new RetainedState(home).latest()).get().asString().contains("savepoint-");
    }

    private Process start(int n) throws IOException {
        Files.deleteIfExists(home.resolve("run.properties"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), FlowgateChild.class.getName())
                .redirectErrorStream(true).redirectOutput(log(n).toFile());
        builder.environment().putAll(TestStack.environment(home, "15s"));
        builder.environment().put("FLOWGATE_WHATSAPP_PER_USER_INTERVAL", "100ms");
        builder.environment().put("FLOWGATE_CHECKPOINT_INTERVAL", "1s");
        Process child = builder.start();
        children.add(child);
        return child;
    }

    private Path log(int n) {
        return home.resolve("child-" + n + ".log");
    }

    private Properties awaitRun(Process child) throws IOException {
        Path file = home.resolve("run.properties");
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(child.isAlive()).as("the run is up (see %s)", file.resolveSibling("child-*.log")).isTrue();
            return Files.exists(file);
        });
        Properties run = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            run.load(in);
        }
        return run;
    }

    private static LoadReport load(Properties run, long seed) throws Exception {
        LoadReport report = Simulator.start(SimulatorConfig.load()
                .routingApi(URI.create(run.getProperty("routing-api"))).ingestApi(URI.create(run.getProperty("ingest-api")))
                .publicKey(Path.of(run.getProperty("public-key"))).appSecret(run.getProperty("app-secret"))
                .adminToken(run.getProperty("admin-token"))
                .chatShare(0).rate(4).duration(Duration.ofSeconds(8)).users(100).seed(seed)
                .build()).await();
        assertThat(report.errors()).as(report.table()).isZero();
        assertThat(report.flows().started()).isPositive();
        return report;
    }
}
