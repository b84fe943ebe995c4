package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.Topics;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A streaming job catching up on a backlog gives exactly the batch tables, even when one partition lags
 * minutes behind the others and the machine is busy. 200,000 events (100,000 transitions of four-step
 * sessions over two hours, each with its endpoint request) and routing-api's heartbeats on 4 partitions;
 * three of them are on the topic when the job starts, the fourth arrives once the job has read the others
 * to their end, hours of event time past the fourth's records (processing-time idleness used to let the
 * watermark run ahead of it, so its records came too late). Read at parallelism 2 while another thread
 * burns a core, three times, each run compared row for row with one batch run over the same records. A fifth
 * of the sessions are in a routing experiment, so the experiment tables (one look per event-time minute, the
 * sequential test's state carried from look to look) are compared too.
 */
class CatchUpTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int PARTITIONS = 4;
    private static final int LAGGING = 3;
    private static final int RUNS = 3;
    private static final Map<String, Integer> STOCK = Map.of("sku-1", 50, "sku-2", 0, "sku-3", 400);
    /** Rules the generated latencies (5-500 ms, 1 % errors) cross now and then, so alerts fire and resolve. */
    private static final List<String> RULES = List.of(
            "INSERT INTO latency_alert_rules (screen, percentile, threshold_ms, window_minutes) VALUES ('*', 'p90', 280, 1)",
            "INSERT INTO latency_alert_rules (screen, error_rate_threshold, window_minutes) VALUES ('*', 0.02, 1)");
    /**
     * A fifth of the sessions run in an experiment whose treatment gets more of the sessions that complete, so
     * that the sequential test has thousands of sessions an arm and its decision moves during the run; the
     * guardrails are out of the generated latencies' reach.
     */
    private static final AnalyticsDatabase.Experiment EXPERIMENT = new AnalyticsDatabase.Experiment("catchup-exp",
            "bench_form", "WELCOME", 2_000.0, 0.5, List.of("control", "treatment"));
    @TempDir
    static Path checkpoints;

    @Test
    @Timeout(900)
    void aSkewedBacklogReadOnABusyMachineGivesTheBatchTablesRowForRow() throws Exception {
        List<FlowgateEvent> events = inExperiment(AnalyticsThroughputBenchmark.generate(100_000, new Random(5)));
        assertThat(events).hasSizeGreaterThanOrEqualTo(200_000);
        Instant last = events.get(events.size() - 1).eventTime();
        // after every decision (stale-after 30 min, demand window 1 h, rule windows 5 min), on a minute
        Instant to = Instant.ofEpochMilli((last.plus(Duration.ofMinutes(65)).toEpochMilli() / 60_000 + 1) * 60_000);
        Instant heartbeatsUntil = to.plusSeconds(10);
        List<Integer> leading = IntStream.range(0, PARTITIONS).filter(p -> p != LAGGING).boxed().toList();

        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(PARTITIONS)) {
            kafka.createTopics(List.of(Topics.STALE_SESSIONS, Topics.ALERTS), PARTITIONS);
            TransitionsTopic batchTopic = new TransitionsTopic(kafka, "catchup.batch", PARTITIONS);
            List<TransitionsTopic.Entry> entries = batchTopic.withHeartbeats(TransitionsTopic.atEventTime(events),
                    Duration.ofSeconds(1), heartbeatsUntil);
            batchTopic.write(entries, IntStream.range(0, PARTITIONS).boxed().toList());
            AnalyticsDatabase batch = AnalyticsDatabase.create("catchup_batch", STOCK, RULES, EXPERIMENT);
            StreamExecutionEnvironment batchEnv = StreamExecutionEnvironment.getExecutionEnvironment();
            AnalyticsOptions batchOptions = options(kafka, batchTopic, batch, "catchup-batch", "--mode", "batch", "--to", to.toString());
            AnalyticsJobs.configure(batchEnv, batchOptions);
            new AnalyticsJobs(batchOptions, AnalyticsSources.production(batchOptions), AnalyticsSinks.production(batchOptions)).build(batchEnv);
            batchEnv.execute("catchup-batch");
            assertThat(batch.query("SELECT count(*) FROM stale_sessions")).as("sessions went stale").doesNotContain("0");
            assertThat(batch.query("SELECT count(*) FROM latency_alerts")).as("alerts fired").doesNotContain("0");
            assertThat(batch.query("SELECT variant, finished > 1000, decision FROM experiment_results ORDER BY variant"))
                    .as("the experiment was judged").containsExactly("control|true|control", "treatment|true|winner");

            for (int run = 1; run <= RUNS; run++) {
                TransitionsTopic topic = new TransitionsTopic(kafka, "catchup.run" + run, PARTITIONS);
                topic.write(entries, leading);
                AnalyticsDatabase streaming = AnalyticsDatabase.create("catchup_streaming", STOCK, RULES, EXPERIMENT);
                String group = "catchup-" + run;
                // -Dcatchup.watermarkAlignment=1m measures the same runs with Flink's watermark alignment
                String alignment = System.getProperty("catchup.watermarkAlignment");
                AnalyticsOptions options = alignment == null
                        ? options(kafka, topic, streaming, group, "--checkpoint-interval", "1s")
                        : options(kafka, topic, streaming, group, "--checkpoint-interval", "1s", "--watermark-alignment", alignment);
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
                AnalyticsJobs.configure(env, options);
                new AnalyticsJobs(options, AnalyticsSources.production(options), AnalyticsSinks.production(options)).build(env);
                AtomicBoolean burning = new AtomicBoolean(true);
                Thread burner = new Thread(() -> burn(burning), "cpu-burner");
                burner.start();
                long started = System.nanoTime();
                JobClient job = env.executeAsync(group);
                try {
                    // the lagging partition comes once the job has read the others to their end: hours behind them
                    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                            .until(() -> topic.consumedToTheEnd(group, leading));
                    double leadingRead = (System.nanoTime() - started) / 1e9;
                    long lagged = System.nanoTime();
                    topic.write(entries, List.of(LAGGING));
                    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                            .until(() -> topic.consumedToTheEnd(group));
                    System.out.printf("catch-up run %d: %,d records of 3 partitions read in %.1f s (from submission);"
                                    + " the lagging partition's %,d records written and read in %.1f s%n",
                            run, entries.stream().filter(e -> e.partition() != LAGGING).count(), leadingRead,
                            entries.stream().filter(e -> e.partition() == LAGGING).count(), (System.nanoTime() - lagged) / 1e9);
                    // the relay goes on beating after the backlog, as it does in operation: a job that restarted
                    // from a checkpoint meanwhile needs a record to bring its watermark back (it restarts at MIN)
                    AtomicLong beat = new AtomicLong(heartbeatsUntil.toEpochMilli());
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        topic.heartbeats(beat.addAndGet(1_000));
                        for (String[] table : AnalyticsJobsTest.TABLES) {
                            assertThat(streaming.dump(table[0], table[1])).as("run %s: %s", group, table[0])
                                    .isEqualTo(batch.dump(table[0], table[1]));
                        }
                    });
                } finally {
                    burning.set(false);
                    burner.join();
                    job.cancel().get();
                }
            }
        }
    }

    private static AnalyticsOptions options(EmbeddedKafkaBroker kafka, TransitionsTopic topic, AnalyticsDatabase db,
                                            String group, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--kafka-bootstrap", kafka.bootstrapServers(),
                "--topic", topic.topic, "--group-id", group, "--jdbc-url", db.url, "--jdbc-user", "postgres",
                "--jdbc-password", "", "--parallelism", "2",
                "--checkpoint-dir", checkpoints.resolve(group).toUri().toString()));
        args.addAll(List.of(more));
        return AnalyticsOptions.fromArgs(args.toArray(String[]::new));
    }

    /** A fifth of the sessions in {@link #EXPERIMENT}: 60 % of the completing ones in the treatment, 40 % of the others. */
    private static List<FlowgateEvent> inExperiment(List<FlowgateEvent> events) {
        Set<String> completing = events.stream().filter(e -> e instanceof FlowTransition t && t.completed())
                .map(e -> ((FlowTransition) e).sessionId()).collect(Collectors.toSet());
        return ExperimentScenario.tagged(events, EXPERIMENT.id(), session -> {
            int bucket = Math.floorMod(session.hashCode(), 50);
            if (bucket >= 10) {
                return null;
            }
            return bucket < (completing.contains(session) ? 6 : 4) ? "treatment" : "control";
        });
    }

    /** Another tenant of the machine: one core's worth of busy work. */
    private static void burn(AtomicBoolean burning) {
        double x = 1;
        while (burning.get()) {
            for (int i = 0; i < 100_000; i++) {
                x = Math.sqrt(x + i) * 1.0000001;
            }
        }
        if (x < 0) {
            System.out.println(x); // keeps the loop from being optimised away
        }
    }
}
