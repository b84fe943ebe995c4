package io.flowgate.analytics;

import io.flowgate.analytics.functions.ExperimentBook;
import io.flowgate.analytics.records.ExperimentDefinition;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.ExperimentResultRow;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.ExperimentGuardrailBreached;
import io.flowgate.events.Topics;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A routing experiment through the whole job (MiniCluster, parallelism 2, real Kafka and PostgreSQL): a
 * control, a treatment with better completion and a treatment whose endpoint is slow. Streaming and batch
 * write the same experiment tables; the slow treatment is stopped once (the {@code experiment_guardrail_stops}
 * row and the {@code experiment_guardrail_breached} event); and the rows are those the {@link ExperimentBook}
 * gives in-process for the same sessions, which is what {@link ExperimentStatisticsTest} runs many times.
 */
class ExperimentAnalyticsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final AnalyticsDatabase.Experiment EXPERIMENT = new AnalyticsDatabase.Experiment("quote-copy", "lead_form",
            "WELCOME", 1000.0, 0.05, List.of("control", "b", "slow"));
    static final ExperimentDefinition DEFINITION = new ExperimentDefinition("quote-copy", "lead_form", "running",
            "completion", 0.05, 1000.0, 0.05, "control", List.of("b", "control", "slow"));
    static final String[][] TABLES = {
            {"experiment_results", "experiment_id, variant"},
            {"experiment_screen_dropoff", "experiment_id, variant, screen"},
            {"experiment_guardrail_stops", "experiment_id, variant"},
    };

    @TempDir
    static Path checkpoints;

    private static EmbeddedKafkaBroker kafka;
    private static ExperimentScenario scenario;

    @BeforeAll
    static void publishTheExperiment() {
        kafka = EmbeddedKafkaBroker.start(2);
        kafka.createTopics(List.of(Topics.TRANSITIONS, Topics.STALE_SESSIONS, Topics.ALERTS), 2);
        scenario = ExperimentScenario.generate(3, 900, Duration.ofHours(1), List.of(
                new ExperimentScenario.Variant("control", ExperimentScenario.BASELINE, false),
                new ExperimentScenario.Variant("b", ExperimentScenario.UPLIFT, false),
                new ExperimentScenario.Variant("slow", ExperimentScenario.BASELINE, true)));
        AnalyticsJobsTest.publish(kafka.bootstrapServers(), Topics.TRANSITIONS, scenario.published);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    @Timeout(300)
    void streamingAndBatchJudgeTheExperimentAlikeAndStopTheSlowTreatmentOnce() throws Exception {
        AnalyticsDatabase streaming = AnalyticsDatabase.create("exp_streaming", Map.of(), List.of(), EXPERIMENT);
        run(streaming, "streaming", "experiments-streaming");
        AnalyticsDatabase batch = AnalyticsDatabase.create("exp_batch", Map.of(), List.of(), EXPERIMENT);
        run(batch, "batch", "experiments-batch");

        for (String[] table : TABLES) {
            assertThat(batch.dump(table[0], table[1])).as(table[0]).isNotEmpty().isEqualTo(streaming.dump(table[0], table[1]));
        }

        // the counts are the scenario's sessions and requests, each once despite the duplicates published
        for (String variant : List.of("control", "b", "slow")) {
            assertThat(streaming.query("SELECT sessions, finished, requests FROM experiment_results "
                    + "WHERE variant = '" + variant + "'")).as(variant).containsExactly(
                    count(variant, ExperimentInput.STARTED) + "|" + count(variant, ExperimentInput.FINISHED) + "|"
                            + count(variant, ExperimentInput.REQUEST));
        }

        // the job's last look is the in-process book's last look, statistics and decisions included
        ExperimentStatisticsTest.Outcome inProcess = ExperimentStatisticsTest.run(scenario, DEFINITION);
        for (ExperimentResultRow expected : inProcess.last().values()) {
            String row = streaming.query("SELECT decision, coalesce(stopped_by, '-'), conversions, "
                    + "coalesce(p_value, -1), coalesce(ci_low, -1), coalesce(ci_high, -1), p90_ms FROM experiment_results "
                    + "WHERE variant = '" + expected.variant() + "'").get(0);
            String[] c = row.split("\\|");
            assertThat(c[0]).as(row).isEqualTo(expected.decision());
            assertThat(c[1]).as(row).isEqualTo(expected.stoppedBy() == null ? "-" : expected.stoppedBy());
            assertThat(Long.parseLong(c[2])).as(row).isEqualTo(expected.conversions());
            assertThat(Double.parseDouble(c[3])).as(row).isCloseTo(orMinusOne(expected.pValue()), within(1e-12));
            assertThat(Double.parseDouble(c[4])).as(row).isCloseTo(orMinusOne(expected.ciLow()), within(1e-12));
            assertThat(Double.parseDouble(c[5])).as(row).isCloseTo(orMinusOne(expected.ciHigh()), within(1e-12));
            assertThat(Double.parseDouble(c[6])).as(row).isCloseTo(expected.p90Ms(), within(1e-9));
        }
        // 300 sessions an arm are too few to decide on a 9-point uplift (ExperimentStatisticsTest takes 1500):
        // the test is still collecting, and the estimate points the right way
        assertThat(streaming.query("SELECT decision, difference > 0, ci_low < difference AND difference < ci_high "
                + "FROM experiment_results WHERE variant = 'b'")).containsExactly("collecting|true|true");

        // the slow treatment, and only it, was stopped, with what was seen
        assertThat(streaming.query("SELECT variant, guardrail, observed > threshold, threshold, detail->>'event_id' "
                + "FROM experiment_guardrail_stops")).containsExactly(
                "slow|p90_latency|true|1000.0|" + ExperimentGuardrailBreached.idOf("quote-copy", "slow"));
        assertThat(streaming.query("SELECT decision, stopped_by FROM experiment_results WHERE variant = 'slow'"))
                .containsExactly("stopped_guardrail|p90_latency");
        // both runs announced it under the same id (consumers deduplicate), valid against its schema
        // (the slow arm also fires the ordinary all-screen p90 alert, latency_alert)
        Set<String> alerts = AnalyticsJobsTest.eventIds(kafka.bootstrapServers(), Topics.ALERTS);
        assertThat(alerts.stream().filter(id -> id.startsWith("guardrail:")))
                .containsExactly(ExperimentGuardrailBreached.idOf("quote-copy", "slow"));
    }

    private static double orMinusOne(Double d) {
        return d == null ? -1 : d;
    }

    private static long count(String variant, String kind) {
        Predicate<ExperimentScenario.Timed> match = t -> t.input().variant().equals(variant) && t.input().kind().equals(kind);
        return scenario.inputs.stream().filter(match).count();
    }

    private static void run(AnalyticsDatabase db, String mode, String group) throws Exception {
        AnalyticsOptions options = AnalyticsOptions.fromArgs(new String[]{
                "--kafka-bootstrap", kafka.bootstrapServers(), "--group-id", group,
                "--jdbc-url", db.url, "--jdbc-user", "postgres", "--jdbc-password", "",
                "--mode", mode, "--to", scenario.to.toString(), "--parallelism", "2", "--checkpoint-interval", "300ms",
                "--checkpoint-dir", checkpoints.resolve(group).toUri().toString()});
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AnalyticsJobs.configure(env, options);
        new AnalyticsJobs(options, AnalyticsSources.production(options), AnalyticsSinks.production(options)).build(env);
        env.execute(AnalyticsJobs.JOB_NAME + "-" + mode);
    }
}
