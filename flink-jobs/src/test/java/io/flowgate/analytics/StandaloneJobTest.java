package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.embedded.EmbeddedPostgresServer;
import io.flowgate.events.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job as a stand-alone user runs it without a cluster (docs/analytics.md, "Without a cluster"): its
 * {@code main} on a local Flink environment, against an empty database, which it gives its tables before
 * it starts. Batch mode, so the run ends by itself.
 */
class StandaloneJobTest {

    @Test
    @Timeout(300)
    void theJobCreatesItsTablesInAnEmptyDatabaseAndRunsWithoutACluster() throws Exception {
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
        String url = postgres.newDatabase("standalone");
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(1)) {
            kafka.createTopics(Topics.ALL, 1);
            AnalyticsJobs.main(new String[] {"--mode", "batch", "--to", Instant.now().toString(), "--parallelism", "1",
                    "--kafka-bootstrap", kafka.bootstrapServers(), "--jdbc-url", url, "--jdbc-user", postgres.user()});
        }

        try (Connection c = DriverManager.getConnection(url, postgres.user(), postgres.password())) {
            for (String table : List.of("screen_dropoff", "endpoint_latency", "stale_sessions", "lead_scores", "hot_inventory",
                    "latency_alert_rules", "latency_alerts")) {
                try (ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
                    assertThat(rows.next()).as(table).isTrue();
                }
            }
        }
    }
}
