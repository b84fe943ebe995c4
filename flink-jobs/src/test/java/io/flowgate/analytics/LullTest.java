package io.flowgate.analytics;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.Heartbeat;
import io.flowgate.events.Topics;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traffic, 30 s of wall-clock silence, traffic: the live streaming job (started before any traffic, as the
 * compose stack starts it) keeps every table moving through the lull and after it, and ends with exactly
 * the tables the events define ({@link Expected}). The test plays routing-api: events on their key's
 * partition as they happen, and a heartbeat on every partition once a wall-clock second with the current
 * time. Event time runs {@value #SPEED} times faster than the wall clock so that a 45-minute day fits into
 * a minute; the 30 s lull is two hours of event time in which only heartbeats arrive. The scenario's routing
 * experiment is checked too: its monitor looks once per event-time minute with input, so a lull is minutes
 * without looks, and the guardrail stop has to come out the same; so are the Flow-version tables.
 */
class LullTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final int SPEED = 240;
    private static final int PARTITIONS = 4;
    private static final Duration LULL = Duration.ofSeconds(30);
    private static final Instant CUT = Scenario.T0.plus(Duration.ofMinutes(20));
    private static final Duration DEMAND_WINDOW = Duration.ofMinutes(30);
    private static final long HOT_DEMAND = 5;
    @TempDir
    static Path checkpoints;

    @Test
    @Timeout(300)
    void hotInventoryAndAlertsKeepUpdatingThroughALullAndMatchTheEvents() throws Exception {
        Duration lullInEventTime = LULL.multipliedBy(SPEED);
        List<Scenario.Published> published = new ArrayList<>();
        for (Scenario.Published p : Scenario.generate(11, 150).published) {
            Instant at = Instant.ofEpochMilli(p.publishedAt());
            published.add(at.isBefore(CUT) ? p
                    : new Scenario.Published(shifted(p.event(), lullInEventTime), at.plus(lullInEventTime).toEpochMilli()));
        }
        Instant last = published.stream().map(p -> p.event().eventTime()).max(Instant::compareTo).orElseThrow();
        // every session of the experiment is measured (at its start + 2 stale-afters) before `to`
        Instant lastStart = published.stream().map(p -> p.event()).filter(e -> e instanceof FlowTransition)
                .map(e -> ((FlowTransition) e).sessionStartedAt()).max(Instant::compareTo).orElseThrow();
        Instant measured = lastStart.plus(Scenario.STALE_AFTER.multipliedBy(2));
        // everything is decided well before `to`: stale-after 30 min, demand window 30 min, rule windows 5 min
        Instant decided = last.plus(Duration.ofMinutes(40)).isAfter(measured) ? last.plus(Duration.ofMinutes(40)) : measured;
        Instant to = Instant.ofEpochMilli((decided.toEpochMilli() / 60_000 + 1) * 60_000);
        Expected expected = Expected.of(published.stream().map(Scenario.Published::event).toList(), to,
                Scenario.STALE_AFTER, DEMAND_WINDOW, Duration.ofMinutes(1), HOT_DEMAND, Duration.ofHours(24), Scenario.STOCK,
                AnalyticsJobsTest.RULES, Scenario.EXPERIMENT);
        Instant lullEnd = CUT.plus(lullInEventTime);
        assertThat(expected.alerts).as("alerts before the lull").anyMatch(a -> Instant.parse(a.split("\\|")[3]).isBefore(CUT));
        assertThat(expected.alerts).as("alerts after the lull").anyMatch(a -> Instant.parse(a.split("\\|")[3]).isAfter(lullEnd));
        assertThat(expected.hotInventory).as("hot_inventory rows written after the lull")
                .anyMatch(r -> Instant.parse(r.split("\\|")[2]).isAfter(lullEnd));
        assertThat(expected.experimentResults).as("both variants of the experiment").hasSize(2);
        assertThat(expected.experimentScreens).as("experiment screens measured after the lull")
                .anyMatch(r -> Instant.parse(r.split("\\|")[6]).isAfter(lullEnd));

        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(PARTITIONS)) {
            kafka.createTopics(List.of(Topics.STALE_SESSIONS, Topics.ALERTS), PARTITIONS);
            TransitionsTopic topic = new TransitionsTopic(kafka, "lull.transitions", PARTITIONS);
            AnalyticsDatabase db = AnalyticsDatabase.create("lull", Scenario.STOCK, List.of(AnalyticsJobsTest.QUOTE_RULE));
            AnalyticsOptions options = AnalyticsOptions.fromArgs(
                    "--kafka-bootstrap", kafka.bootstrapServers(), "--topic", topic.topic, "--group-id", "lull",
                    "--jdbc-url", db.url, "--jdbc-user", "postgres", "--jdbc-password", "",
                    "--parallelism", "2", "--checkpoint-interval", "1s",
                    "--checkpoint-dir", checkpoints.resolve("lull").toUri().toString(),
                    "--demand-window", DEMAND_WINDOW.toMinutes() + "m", "--hot-demand", Long.toString(HOT_DEMAND));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            AnalyticsJobs.configure(env, options);
            new AnalyticsJobs(options, AnalyticsSources.production(options), AnalyticsSinks.production(options)).build(env);
            JobClient job = env.executeAsync("lull");
            try {
                Thread.sleep(8_000); // the job starts before any traffic, and sees none for a while
                Instant until = to.plusSeconds(10);
                play(topic, published, until);
                // the relay goes on beating (a job restarted from a checkpoint needs a record to move again)
                AtomicLong beat = new AtomicLong(until.toEpochMilli());
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    topic.heartbeats(beat.addAndGet(1_000));
                    assertThat(new TreeSet<>(db.query("SELECT item_id, demand, window_end, stock, hot, stockout_at FROM hot_inventory")))
                            .as("hot_inventory").isEqualTo(expected.hotInventory);
                    assertThat(new TreeSet<>(db.query("SELECT rule_id, metric, state, window_end FROM latency_alerts")))
                            .as("latency_alerts").isEqualTo(new TreeSet<>(expected.alerts));
                    assertThat(new TreeSet<>(db.query("SELECT session_id, user_id, last_screen, last_event_at, stale_at FROM stale_sessions")))
                            .as("stale_sessions").isEqualTo(expected.staleSessions);
                    assertThat(new TreeSet<>(db.query("SELECT flow_id, cohort_start, screen, source, reached, dropped, completed, updated_at FROM screen_dropoff")))
                            .as("screen_dropoff").isEqualTo(expected.screenDropoff);
                    AnalyticsJobsTest.assertFlowVersionTablesMatchTheEvents(db, expected);
                    AnalyticsJobsTest.assertExperimentTablesMatchTheEvents(db, expected);
                });
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * Publishes the events as their time comes on a clock that runs {@link #SPEED} times faster than the wall
     * clock from {@link Scenario#T0}, and every wall-clock second a heartbeat with that clock's time on every
     * partition, after the events up to it: routing-api's relay, compressed.
     */
    private static void play(TransitionsTopic topic, List<Scenario.Published> published, Instant until) throws Exception {
        List<TransitionsTopic.Entry> entries = new ArrayList<>();
        for (Scenario.Published p : published) {
            entries.add(new TransitionsTopic.Entry(topic.partitionOf(p.event()), p.publishedAt(), p.event()));
        }
        entries.sort((a, b) -> Long.compare(a.publishedAt(), b.publishedAt()));
        long wallStart = System.currentTimeMillis();
        long nextHeartbeat = wallStart;
        int next = 0;
        try (KafkaProducer<String, byte[]> producer = topic.producer()) {
            while (true) {
                long wall = System.currentTimeMillis();
                long now = Scenario.T0.toEpochMilli() + (wall - wallStart) * SPEED;
                while (next < entries.size() && entries.get(next).publishedAt() <= now) {
                    topic.send(producer, entries.get(next++));
                }
                if (wall >= nextHeartbeat) {
                    long at = Math.min(now, until.toEpochMilli());
                    for (int p = 0; p < topic.partitions; p++) {
                        topic.send(producer, new TransitionsTopic.Entry(p, at, Heartbeat.of(Instant.ofEpochMilli(at), p)));
                    }
                    producer.flush();
                    nextHeartbeat += 1_000;
                    if (at == until.toEpochMilli()) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }
    }

    private static FlowgateEvent shifted(FlowgateEvent e, Duration by) {
        if (e instanceof FlowTransition t) {
            return new FlowTransition(t.eventId(), shift(t.eventTime(), by), t.flowId(), t.sessionId(), t.userId(),
                    shift(t.sessionStartedAt(), by), t.fromScreen(), t.toScreen(), t.action(), t.fields(), t.completed(),
                    t.handover(), t.source(), t.flowVersion(), t.experimentId(), t.variant());
        }
        EndpointRequest r = (EndpointRequest) e;
        return new EndpointRequest(r.eventId(), shift(r.eventTime(), by), r.flowId(), r.sessionId(), r.screen(), r.action(),
                r.status(), r.outcome(), r.latencyMicros(), r.flowVersion(), r.experimentId(), r.variant());
    }

    private static Instant shift(Instant t, Duration by) {
        return t.isBefore(CUT) ? t : t.plus(by);
    }
}
