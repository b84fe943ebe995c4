package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.Topics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing the job sends between operators or keeps in state goes through Kryo: the whole job set runs, streaming
 * (with checkpoints) and batch, with generic types disabled ({@code pipeline.generic-types: false}), on a small
 * scenario that writes every kind of row (funnels, leads, inventory, latency, alerts, experiments). A type Flink
 * cannot serialize as a POJO, a record or with its own serializer fails the job at start.
 */
class NoGenericTypesTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final String[][] TABLES = {
            {"screen_dropoff", "flow_id, cohort_start, screen"},
            {"lead_scores", "wa_id"},
            {"hot_inventory", "item_id"},
            {"endpoint_latency", "minute, screen, action"},
            {"experiment_results", "experiment_id, variant"},
    };

    @TempDir
    static Path checkpoints;

    private static EmbeddedKafkaBroker kafka;
    private static Instant to;

    @BeforeAll
    static void publish() {
        kafka = EmbeddedKafkaBroker.start(2);
        kafka.createTopics(List.of(Topics.TRANSITIONS, Topics.STALE_SESSIONS, Topics.ALERTS), 2);
        // the shared scenario runs its lead form in a routing experiment too (sticky variants, a guardrail stop)
        Scenario scenario = Scenario.generate(7, 40);
        AnalyticsJobsTest.publish(kafka.bootstrapServers(), Topics.TRANSITIONS, scenario.published);
        to = scenario.to;
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    @Timeout(300)
    void theJobRunsWithGenericTypesDisabledStreamingAndBatch() throws Exception {
        AnalyticsDatabase streaming = AnalyticsDatabase.create("nokryo_streaming", Scenario.STOCK, List.of());
        run(streaming, "streaming");
        AnalyticsDatabase batch = AnalyticsDatabase.create("nokryo_batch", Scenario.STOCK, List.of());
        run(batch, "batch");

        for (String[] table : TABLES) {
            assertThat(batch.dump(table[0], table[1])).as(table[0]).isNotEmpty().isEqualTo(streaming.dump(table[0], table[1]));
        }
    }

    private static void run(AnalyticsDatabase db, String mode) throws Exception {
        AnalyticsOptions options = AnalyticsOptions.fromArgs(new String[]{
                "--kafka-bootstrap", kafka.bootstrapServers(), "--group-id", "nokryo-" + mode,
                "--jdbc-url", db.url, "--jdbc-user", "postgres", "--jdbc-password", "",
                "--mode", mode, "--to", to.toString(), "--parallelism", "2", "--checkpoint-interval", "300ms",
                "--checkpoint-dir", checkpoints.resolve(mode).toUri().toString()});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration noKryo = new Configuration();
        noKryo.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(noKryo);
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        AnalyticsJobs.configure(env, options);
        new AnalyticsJobs(options, AnalyticsSources.production(options), AnalyticsSinks.production(options)).build(env);
        env.execute(AnalyticsJobs.JOB_NAME + "-no-generic-types-" + mode);
    }
}
