package io.flowgate.analytics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.flowgate.analytics.functions.TopicEventDeserializer;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventJson;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.ExperimentGuardrailBreached;
import io.flowgate.events.Topics;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The whole job set on a MiniCluster (parallelism 2), from a real Kafka broker to PostgreSQL, checked
 * table by table against {@link Expected}: what the product's definitions give for the published events.
 */
class AnalyticsJobsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** The default rules plus one on QUOTE ({@link #QUOTE_RULE}), as {@link Expected} evaluates them. */
    static final List<Expected.Rule> RULES = List.of(
            new Expected.Rule(1, "*", "p90", 1000.0, null, 5),
            new Expected.Rule(2, "*", null, null, 0.05, 5),
            new Expected.Rule(3, "*", "p90", 800.0, null, 10),
            new Expected.Rule(4, "*", null, null, 0.03, 10),
            new Expected.Rule(5, "QUOTE", "p95", 1200.0, null, 1));
    static final String QUOTE_RULE = "INSERT INTO latency_alert_rules (screen, percentile, threshold_ms, window_minutes, description) "
            + "VALUES ('QUOTE', 'p95', 1200, 1, 'slow quotes')";
    private static final Duration DEMAND_WINDOW = Duration.ofHours(2);
    private static final long HOT_DEMAND = 5;

    @TempDir
    static Path checkpoints;

    private static EmbeddedKafkaBroker kafka;
    private static Scenario scenario;
    private static Expected expected;

    @BeforeAll
    static void publishTheScenario() {
        kafka = EmbeddedKafkaBroker.start(2);
        kafka.createTopics(List.of(Topics.TRANSITIONS, Topics.STALE_SESSIONS, Topics.ALERTS), 2);
        scenario = Scenario.generate(7, 150);
        try (var producer = new KafkaProducer<String, byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (Scenario.Published p : scenario.published) {
                producer.send(new ProducerRecord<>(Topics.TRANSITIONS, null, p.publishedAt(), p.event().key(), EventJson.toBytes(p.event())));
            }
        }
        expected = Expected.of(scenario.published.stream().map(Scenario.Published::event).toList(), scenario.to,
                Scenario.STALE_AFTER, DEMAND_WINDOW, Duration.ofMinutes(1), HOT_DEMAND, Duration.ofHours(24), Scenario.STOCK, RULES,
                Scenario.EXPERIMENT);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    @Timeout(240)
    void streamingAndBatchRunsBothWriteExactlyTheTablesTheEventsDefine() throws Exception {
        assertTheScenarioExercisesEveryCase();

        AnalyticsDatabase streaming = AnalyticsDatabase.create("streaming", Scenario.STOCK, List.of(QUOTE_RULE));
        AnalyticsOptions streamingOptions = options(streaming, "streaming", "analytics-streaming");
        run(streamingOptions, AnalyticsSources.production(streamingOptions), AnalyticsSinks.production(streamingOptions));
        assertTablesMatchTheEvents(streaming);

        AnalyticsDatabase batch = AnalyticsDatabase.create("batch", Scenario.STOCK, List.of(QUOTE_RULE));
        AnalyticsOptions batchOptions = options(batch, "batch", "analytics-batch");
        run(batchOptions, AnalyticsSources.production(batchOptions), AnalyticsSinks.production(batchOptions));
        assertTablesMatchTheEvents(batch);
        for (String[] table : TABLES) {
            assertThat(batch.dump(table[0], table[1])).as(table[0]).isEqualTo(streaming.dump(table[0], table[1]));
        }

        // both runs published the same events: consumers deduplicate by id and see each one once
        assertThat(eventIds(Topics.STALE_SESSIONS)).isEqualTo(expected.staleSessions.stream()
                .map(row -> "stale:" + row.substring(0, row.indexOf('|'))).collect(Collectors.toCollection(TreeSet::new)));
        Set<String> alertIds = expected.alerts.stream().map(a -> a.split("\\|"))
                .map(a -> "alert:" + a[0] + ":" + a[1] + ":" + Instant.parse(a[3]).toEpochMilli() + ":" + a[2])
                .collect(Collectors.toCollection(TreeSet::new));
        alertIds.addAll(guardrailEventIds());
        assertThat(eventIds(Topics.ALERTS)).isEqualTo(alertIds);
    }

    /** The ids of the {@code experiment_guardrail_breached} events the scenario's stops announce. */
    private static Set<String> guardrailEventIds() {
        return expected.experimentStops.keySet().stream().map(k -> k.split("\\|"))
                .map(k -> ExperimentGuardrailBreached.idOf(k[0], k[1])).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    @Timeout(240)
    void aTaskFailingMidStreamAndRestoringFromItsCheckpointChangesNothing() throws Exception {
        AnalyticsDatabase db = AnalyticsDatabase.create("failover", Scenario.STOCK, List.of(QUOTE_RULE));
        AnalyticsOptions options = options(db, "streaming", "analytics-failover");
        AnalyticsSources production = AnalyticsSources.production(options);
        AnalyticsSources slowed = new AnalyticsSources(AnalyticsSources.transitions(options)
                .setDeserializer(new ThrottledDeserializer(new TopicEventDeserializer(options.fromMillis(), options.toMillis()), 2))
                .build(), production.alertRules(), production.inventory(),
                production.experiments());
        AnalyticsSinks sinks = AnalyticsSinks.production(options);
        FailOnceSink.reset();

        // the task dies right after the guardrail stop's row was written, before the checkpoint that would
        // have covered it: the job restores from the checkpoint before, and the monitor decides the stop again
        run(options, slowed, sinks.withExperimentStops(FailOnceSink.afterCommittingItsFirstRow(sinks.experimentStops())));

        assertThat(FailOnceSink.FAILED).as("the injected failure happened").isTrue();
        assertThat(FailOnceSink.RESTORED_FROM.get()).as("the job restarted from a completed checkpoint").isPositive();
        assertTablesMatchTheEvents(db);
        // the guardrail stop, decided twice, is one row (assertTablesMatchTheEvents: the first look's) and one
        // event id (sent twice, at least once each time; consumers deduplicate by id)
        assertThat(eventIds(Topics.ALERTS).stream().filter(id -> id.startsWith("guardrail:")))
                .containsExactlyElementsOf(guardrailEventIds());
    }

    @Test
    @Timeout(240)
    void aBatchRecomputeSurvivesAFailedKafkaSend() throws Exception {
        AnalyticsDatabase db = AnalyticsDatabase.create("batch_restart", Scenario.STOCK, List.of(QUOTE_RULE));
        AnalyticsOptions options = options(db, "batch", "analytics-batch-restart");
        AnalyticsSinks sinks = AnalyticsSinks.production(options);
        FailOnceSink.reset();

        run(options, AnalyticsSources.production(options),
                sinks.withStaleSessionEvents(FailOnceSink.onFirstWrite(sinks.staleSessionEvents())));

        assertThat(FailOnceSink.FAILED).as("the injected Kafka failure happened").isTrue();
        assertTablesMatchTheEvents(db);
    }

    /**
     * Unbounded runs (no {@code --to}): a bounded Kafka source restored from a savepoint never finishes
     * (FLINK-31006, open in flink-connector-kafka 4.0), and an upgrade is a thing of running jobs. The first
     * half of the events is published, read, and the job stopped with a savepoint; the second half is
     * published and read by the job resumed from it. Idleness is off ({@code 1h}) so that the watermark, and
     * with it every table, depends on the events only.
     */
    @Test
    @Timeout(300)
    void anUpgradeThroughStopWithSavepointAndResumeChangesNothing() throws Exception {
        String topic = "flowgate.transitions.upgrade";
        kafka.createTopics(List.of(topic), 2);
        List<Scenario.Published> published = scenario.published;
        publish(topic, published.subList(0, published.size() / 2));

        AnalyticsDatabase db = AnalyticsDatabase.create("upgrade", Scenario.STOCK, List.of(QUOTE_RULE));
        AnalyticsOptions options = unbounded(db, topic, "analytics-upgrade");
        // lead_scores goes through a FailOnceSink that never fails, in both runs (the same graph): it records
        // the checkpoint its writers were restored from
        AnalyticsSinks sinks = AnalyticsSinks.production(options);
        sinks = sinks.withLeadScores(new FailOnceSink<>(sinks.leadScores(), Integer.MAX_VALUE));
        FailOnceSink.reset();
        JobClient before = start(options, sinks, null);
        Map<String, List<String>> halfWay = awaitCaughtUp(db, topic, "analytics-upgrade");
        String savepoint = before.stopWithSavepoint(false, checkpoints.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);

        // the new version: the same graph (same uids), started from the savepoint, reads the rest
        publish(topic, published.subList(published.size() / 2, published.size()));
        JobClient after = start(options, sinks, savepoint);
        Map<String, List<String>> upgraded;
        try {
            upgraded = awaitCaughtUp(db, topic, "analytics-upgrade");
        } finally {
            after.cancel().get(60, TimeUnit.SECONDS);
        }
        assertThat(FailOnceSink.FAILED).isFalse();
        assertThat(FailOnceSink.RESTORED_FROM.get()).as("the second run restored the savepoint").isPositive();

        AnalyticsDatabase undisturbed = AnalyticsDatabase.create("undisturbed", Scenario.STOCK, List.of(QUOTE_RULE));
        AnalyticsOptions undisturbedOptions = unbounded(undisturbed, topic, "analytics-undisturbed");
        JobClient reference = start(undisturbedOptions, AnalyticsSinks.production(undisturbedOptions), null);
        Map<String, List<String>> expectedTables;
        try {
            expectedTables = awaitCaughtUp(undisturbed, topic, "analytics-undisturbed");
        } finally {
            reference.cancel().get(60, TimeUnit.SECONDS);
        }
        assertThat(expectedTables.get("screen_dropoff")).isNotEmpty();
        assertThat(expectedTables.get("stale_sessions")).isNotEmpty();
        assertThat(halfWay.get("screen_dropoff")).as("the first run saw half").isNotEqualTo(expectedTables.get("screen_dropoff"));
        for (String[] table : TABLES) {
            assertThat(upgraded.get(table[0])).as(table[0]).containsExactlyElementsOf(expectedTables.get(table[0]));
        }
    }

    private static void publish(String topic, List<Scenario.Published> events) {
        publish(kafka.bootstrapServers(), topic, events);
    }

    static void publish(String bootstrapServers, String topic, List<Scenario.Published> events) {
        try (var producer = new KafkaProducer<String, byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (Scenario.Published p : events) {
                producer.send(new ProducerRecord<>(topic, null, p.publishedAt(), p.event().key(), EventJson.toBytes(p.event())));
            }
        }
    }

    private static AnalyticsOptions unbounded(AnalyticsDatabase db, String topic, String group) {
        List<String> args = new ArrayList<>(List.of(optionArgs(db, "streaming", group)));
        int to = args.indexOf("--to");
        args.subList(to, to + 2).clear();
        args.addAll(List.of("--idleness", "1h", "--topic", topic));
        return AnalyticsOptions.fromArgs(args.toArray(String[]::new));
    }

    private static JobClient start(AnalyticsOptions options, AnalyticsSinks sinks, String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (savepoint != null) {
            Configuration resume = new Configuration();
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            env.configure(resume);
        }
        AnalyticsJobs.configure(env, options);
        new AnalyticsJobs(options, AnalyticsSources.production(options), sinks).build(env);
        return env.executeAsync(AnalyticsJobs.JOB_NAME + "-" + options.groupId());
    }

    /**
     * The tables once a running job has read the whole topic: its committed offsets (committed when a
     * checkpoint completes, after the sinks flushed) reached the end, and two polls a few checkpoints apart agree.
     */
    private static Map<String, List<String>> awaitCaughtUp(AnalyticsDatabase db, String topic, String group) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int partition = 0; partition < 2; partition++) {
                    latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
                }
                var end = admin.listOffsets(latest).all().get();
                return end.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset());
            });
        }
        AtomicReference<Map<String, List<String>>> previous = new AtomicReference<>(Map.of());
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            Map<String, List<String>> tables = new TreeMap<>();
            for (String[] table : TABLES) {
                tables.put(table[0], db.dump(table[0], table[1]));
            }
            return tables.equals(previous.getAndSet(tables)) ? tables : null;
        }, java.util.Objects::nonNull);
    }

    @Test
    @Timeout(240)
    void aJobStartedFromScratchOnFilledTablesDoesNotLowerCountsAndSaysSo() throws Exception {
        AnalyticsDatabase db = AnalyticsDatabase.create("guard", Scenario.STOCK, List.of(QUOTE_RULE));
        AnalyticsOptions full = options(db, "batch", "analytics-guard-full");
        run(full, AnalyticsSources.production(full), AnalyticsSinks.production(full));
        assertTablesMatchTheEvents(db);

        // the mistake: a streaming job without its state, reading only the second half of the events
        Instant first = scenario.published.stream().map(p -> p.event().eventTime()).min(Instant::compareTo).orElseThrow();
        Instant middle = first.plus(Duration.between(first, scenario.to).dividedBy(2));
        List<String> args = new ArrayList<>(List.of(optionArgs(db, "streaming", "analytics-guard-scratch")));
        args.addAll(List.of("--from", middle.toString()));
        AnalyticsOptions scratch = AnalyticsOptions.fromArgs(args.toArray(String[]::new));
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger sinkLog = (Logger) LoggerFactory.getLogger(GuardedUpsertSink.class);
        sinkLog.addAppender(logged);
        try {
            run(scratch, AnalyticsSources.production(scratch), AnalyticsSinks.production(scratch));
        } finally {
            sinkLog.detachAppender(logged);
        }

        assertThat(new TreeSet<>(db.query("SELECT flow_id, cohort_start, screen, source, reached, dropped, completed, updated_at FROM screen_dropoff")))
                .as("screen_dropoff").isEqualTo(expected.screenDropoff);
        assertThat(new TreeSet<>(db.query("SELECT session_id, user_id, last_screen, last_event_at, stale_at FROM stale_sessions")))
                .as("stale_sessions").isEqualTo(expected.staleSessions);
        for (String row : db.query("SELECT screen, action, minute, requests FROM endpoint_latency")) {
            String[] c = row.split("\\|", -1);
            assertThat(Long.parseLong(c[3])).as(row).isEqualTo(expected.endpointLatency.get(c[0] + "|" + c[1] + "|" + c[2]).requests());
        }
        assertThat(logged.list).as("the refusals are in the log")
                .anyMatch(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().startsWith("screen_dropoff sink REFUSED"));
    }

    /** Every table the job writes, with its key. */
    static final String[][] TABLES = {
            {"screen_dropoff", "flow_id, cohort_start, screen"},
            {"stale_sessions", "session_id"},
            {"endpoint_latency", "screen, action, minute"},
            {"lead_scores", "wa_id"},
            {"hot_inventory", "item_id"},
            {"latency_alerts", "alert_id"},
            {"screen_dropoff_by_version", "flow_id, flow_version, cohort_start, screen"},
            {"screen_time", "flow_id, flow_version, screen"},
            {"screen_paths", "flow_id, flow_version, from_screen, to_screen, action"},
            {"experiment_results", "experiment_id, variant"},
            {"experiment_screen_dropoff", "experiment_id, variant, screen"},
            {"experiment_guardrail_stops", "experiment_id, variant"},
    };

    private static AnalyticsOptions options(AnalyticsDatabase db, String mode, String group) {
        return AnalyticsOptions.fromArgs(optionArgs(db, mode, group));
    }

    private static String[] optionArgs(AnalyticsDatabase db, String mode, String group) {
        return new String[]{
                "--kafka-bootstrap", kafka.bootstrapServers(), "--group-id", group,
                "--jdbc-url", db.url, "--jdbc-user", "postgres", "--jdbc-password", "",
                "--mode", mode, "--to", scenario.to.toString(), "--parallelism", "2", "--checkpoint-interval", "300ms",
                "--checkpoint-dir", checkpoints.resolve(group).toUri().toString(),
                "--demand-window", DEMAND_WINDOW.toMinutes() + "min", "--hot-demand", Long.toString(HOT_DEMAND)};
    }

    private static void run(AnalyticsOptions options, AnalyticsSources sources, AnalyticsSinks sinks) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AnalyticsJobs.configure(env, options);
        new AnalyticsJobs(options, sources, sinks).build(env);
        env.execute(AnalyticsJobs.JOB_NAME + "-" + options.mode());
    }

    private static void assertTheScenarioExercisesEveryCase() {
        assertThat(expected.screenDropoff).anyMatch(r -> r.startsWith("qualify_chat|") && r.contains("|QUALIFIED|chat|"));
        assertThat(expected.staleSessions).hasSizeGreaterThan(20);
        assertThat(expected.comebacksThatWentStaleAgain).isNotEmpty();
        assertThat(scenario.published.size()).isGreaterThan(scenario.events.size());
        assertThat(expected.hotInventory).anyMatch(r -> r.contains("|true|"));
        assertThat(expected.hotInventory).anyMatch(r -> r.startsWith("sku-5|") && r.contains("|null|"));
        assertThat(expected.alerts).anyMatch(a -> a.startsWith("1|p90|FIRING"));
        assertThat(expected.alerts).anyMatch(a -> a.startsWith("1|p90|RESOLVED"));
        assertThat(expected.alerts).anyMatch(a -> a.startsWith("2|error_rate|FIRING"));
        assertThat(expected.alerts).anyMatch(a -> a.startsWith("5|p95|FIRING"));
        assertThat(expected.alerts).as("the rules that fire before Meta (V18)").anyMatch(a -> a.startsWith("3|p90|FIRING"));
        // Flow versions: the lead form on two versions, the shop on one, chats without (0), with BACK paths and
        // drop-offs whose time exceeds the moved-on views
        assertThat(expected.screenDropoffByVersion).extracting(r -> r.substring(0, r.indexOf('|', r.indexOf('|') + 1)))
                .contains("lead_form|1", "lead_form|2", "shop|" + Scenario.SHOP_VERSION, "qualify_chat|0");
        assertThat(expected.screenPaths).anyMatch(r -> r.contains("|BACK|"));
        assertThat(expected.screenTime.values()).anyMatch(t -> t.droppedOff() > 0 && t.percentileMillis(90,
                Scenario.STALE_AFTER.toMillis()) == Scenario.STALE_AFTER.toMillis());
        // the experiment: both variants with measured sessions, completions and drop-offs, the treatment
        // converting better, and one stop
        Map<String, String[]> variants = expected.experimentResults.stream().map(r -> r.split("\\|"))
                .collect(Collectors.toMap(r -> r[1], r -> r));
        assertThat(variants).containsOnlyKeys(Scenario.CONTROL, Scenario.TREATMENT);
        for (String[] r : variants.values()) {
            assertThat(Long.parseLong(r[3])).as("%s finished", r[1]).isGreaterThan(5).isLessThanOrEqualTo(Long.parseLong(r[2]));
        }
        assertThat(rate(variants.get(Scenario.TREATMENT))).isGreaterThan(rate(variants.get(Scenario.CONTROL)) + 0.1);
        assertThat(expected.experimentScreens).anyMatch(r -> r.startsWith("lead-copy|control|") && !r.split("\\|")[4].equals("0"));
        assertThat(expected.experimentStops).containsOnlyKeys("lead-copy|" + Scenario.TREATMENT);
    }

    private static double rate(String[] result) {
        return Double.parseDouble(result[4]) / Double.parseDouble(result[3]);
    }

    private static void assertTablesMatchTheEvents(AnalyticsDatabase db) throws Exception {
        assertThat(new TreeSet<>(db.query("SELECT flow_id, cohort_start, screen, source, reached, dropped, completed, updated_at FROM screen_dropoff")))
                .as("screen_dropoff").isEqualTo(expected.screenDropoff);
        assertThat(db.query("SELECT count(*) FROM screen_dropoff WHERE abs(drop_rate - dropped::float8 / reached) > 1e-12"))
                .containsExactly("0");

        assertThat(new TreeSet<>(db.query("SELECT session_id, user_id, last_screen, last_event_at, stale_at FROM stale_sessions")))
                .as("stale_sessions").isEqualTo(expected.staleSessions);

        List<String> latency = db.query("SELECT screen, action, minute, requests, errors, p50_ms, p90_ms, p95_ms, p99_ms, max_ms FROM endpoint_latency");
        assertThat(latency.stream().map(r -> r.split("\\|", -1)).map(c -> c[0] + "|" + c[1] + "|" + c[2]).collect(Collectors.toSet()))
                .as("endpoint_latency keys").isEqualTo(expected.endpointLatency.keySet());
        for (String row : latency) {
            String[] c = row.split("\\|", -1);
            Expected.Minute minute = expected.endpointLatency.get(c[0] + "|" + c[1] + "|" + c[2]);
            assertThat(Long.parseLong(c[3])).as(row).isEqualTo(minute.requests());
            assertThat(Long.parseLong(c[4])).as(row).isEqualTo(minute.errors());
            double[] percentiles = {50, 90, 95, 99};
            for (int i = 0; i < percentiles.length; i++) {
                double exact = minute.percentileMillis(percentiles[i]);
                assertThat(Double.parseDouble(c[5 + i])).as("p%s of %s", percentiles[i], row).isCloseTo(exact, within(exact * 0.01));
            }
            assertThat(Double.parseDouble(c[9])).as(row).isEqualTo(minute.sortedMicros()[minute.sortedMicros().length - 1] / 1000.0);
        }

        assertThat(new TreeSet<>(db.query("SELECT wa_id, sessions, completed_sessions, stale_sessions, "
                + "reasons::text LIKE '%came back after dropping off%', updated_at, score, tier FROM lead_scores")))
                .as("lead_scores").isEqualTo(expected.leadCounts);
        // vip: budget 25000 (+30), retail (+15), timeline now (+20), completed (+20), 5 s per screen (+10)
        assertThat(db.query("SELECT score, tier FROM lead_scores WHERE wa_id = 'vip'")).containsExactly("95|hot");
        // ghost: opened the form and left: one drop-off (-10), clamped at 0
        assertThat(db.query("SELECT score, tier, reasons::text FROM lead_scores WHERE wa_id = 'ghost'"))
                .containsExactly("0|cold|[\"dropped off 1 session(s) (-10)\"]");

        assertThat(new TreeSet<>(db.query("SELECT item_id, demand, window_end, stock, hot, stockout_at FROM hot_inventory")))
                .as("hot_inventory").isEqualTo(expected.hotInventory);

        assertThat(new TreeSet<>(db.query("SELECT rule_id, metric, state, window_end FROM latency_alerts")))
                .as("latency_alerts").isEqualTo(new TreeSet<>(expected.alerts));

        assertFlowVersionTablesMatchTheEvents(db, expected);
        assertExperimentTablesMatchTheEvents(db, expected);
    }

    /** The tables of {@link Scenario#EXPERIMENT} are those {@link Expected} gives (docs/experiments.md). */
    static void assertExperimentTablesMatchTheEvents(AnalyticsDatabase db, Expected expected) throws Exception {
        assertThat(new TreeSet<>(db.query("SELECT experiment_id, variant, sessions, finished, completed, conversions, "
                + "requests, errors, evaluated_at FROM experiment_results"))).as("experiment_results")
                .isEqualTo(expected.experimentResults);
        for (String row : db.query("SELECT experiment_id, variant, is_control, decision, coalesce(stopped_by, '-'), "
                + "p_value IS NULL AND ci_low IS NULL, p90_ms, conversion_rate * finished - conversions FROM experiment_results")) {
            String[] c = row.split("\\|", -1);
            boolean control = c[1].equals(Scenario.CONTROL);
            Expected.Stop stop = expected.experimentStops.get(c[0] + "|" + c[1]);
            assertThat(c[2] + "|" + c[3] + "|" + c[4]).as(row).isEqualTo(control ? "true|control|-"
                    : stop != null ? "false|stopped_guardrail|p90_latency" : "false|collecting|-");
            // fewer than 100 measured sessions an arm: no look of the sequential test yet (docs/experiments.md)
            assertThat(c[5]).as(row).isEqualTo("true");
            double exact = Expected.nearestRank(expected.experimentLatencies.get(c[0] + "|" + c[1]), 90) / 1000.0;
            assertThat(Double.parseDouble(c[6])).as(row).isCloseTo(exact, within(exact * 0.01));
            assertThat(Double.parseDouble(c[7])).as(row).isCloseTo(0.0, within(1e-9));
        }
        assertThat(new TreeSet<>(db.query("SELECT experiment_id, variant, screen, reached, dropped, completed, updated_at "
                + "FROM experiment_screen_dropoff"))).as("experiment_screen_dropoff").isEqualTo(expected.experimentScreens);
        assertThat(db.query("SELECT count(*) FROM experiment_screen_dropoff WHERE abs(drop_rate - dropped::float8 / reached) > 1e-12"))
                .containsExactly("0");

        List<String> stops = db.query("SELECT experiment_id, variant, guardrail, threshold, stopped_at, "
                + "detail->>'event_id', detail->>'sample_size', observed, detail->>'control_observed' FROM experiment_guardrail_stops");
        assertThat(stops).hasSameSizeAs(expected.experimentStops.keySet());
        for (String row : stops) {
            String[] c = row.split("\\|", -1);
            Expected.Stop stop = expected.experimentStops.get(c[0] + "|" + c[1]);
            assertThat(stop).as(row).isNotNull();
            assertThat(String.join("|", List.of(c).subList(2, 7))).as(row).isEqualTo("p90_latency|"
                    + Scenario.EXPERIMENT.maxP90LatencyMs() + "|" + Instant.ofEpochMilli(stop.at()) + "|"
                    + ExperimentGuardrailBreached.idOf(c[0], c[1]) + "|" + stop.sampleSize());
            assertThat(Double.parseDouble(c[7])).as(row).isCloseTo(stop.observedMillis(), within(stop.observedMillis() * 0.01));
            assertThat(Double.parseDouble(c[8])).as(row).isCloseTo(stop.controlObservedMillis(),
                    within(stop.controlObservedMillis() * 0.01));
        }
    }

    /** The Flow-version tables are those {@link Expected} gives (docs/analytics.md). */
    static void assertFlowVersionTablesMatchTheEvents(AnalyticsDatabase db, Expected expected) throws Exception {
        assertThat(new TreeSet<>(db.query("SELECT flow_id, flow_version, cohort_start, screen, source, reached, dropped, "
                + "completed, updated_at FROM screen_dropoff_by_version"))).as("screen_dropoff_by_version")
                .isEqualTo(expected.screenDropoffByVersion);
        // split by version, the funnel adds up to the funnel
        assertThat(db.query("SELECT flow_id, cohort_start, screen, sum(reached), sum(dropped), sum(completed) "
                + "FROM screen_dropoff_by_version GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"))
                .isEqualTo(db.query("SELECT flow_id, cohort_start, screen, reached, dropped, completed FROM screen_dropoff ORDER BY 1, 2, 3"));

        assertThat(new TreeSet<>(db.query("SELECT flow_id, flow_version, from_screen, to_screen, action, transitions, updated_at "
                + "FROM screen_paths"))).as("screen_paths").isEqualTo(expected.screenPaths);

        List<String> times = db.query("SELECT flow_id, flow_version, screen, views, moved_on, dropped_off, p50_ms, p90_ms, "
                + "p50_moved_on_ms, p90_moved_on_ms, max_moved_on_ms, updated_at FROM screen_time");
        assertThat(times.stream().map(r -> r.split("\\|", -1)).map(c -> c[0] + "|" + c[1] + "|" + c[2]).collect(Collectors.toSet()))
                .as("screen_time keys").isEqualTo(expected.screenTime.keySet());
        long staleAfter = Scenario.STALE_AFTER.toMillis();
        for (String row : times) {
            String[] c = row.split("\\|", -1);
            Expected.ScreenTime t = expected.screenTime.get(c[0] + "|" + c[1] + "|" + c[2]);
            assertThat(c[3] + "|" + c[4] + "|" + c[5] + "|" + c[11]).as(row)
                    .isEqualTo(t.views() + "|" + t.sortedMovedOnMillis().length + "|" + t.droppedOff() + "|" + Instant.ofEpochMilli(t.updatedAt()));
            double[] exact = {t.percentileMillis(50, staleAfter), t.percentileMillis(90, staleAfter),
                    t.movedOnPercentileMillis(50), t.movedOnPercentileMillis(90)};
            for (int i = 0; i < exact.length; i++) {
                assertThat(Double.parseDouble(c[6 + i])).as("column %s of %s", 6 + i, row).isCloseTo(exact[i], within(exact[i] * 0.01));
            }
            long[] movedOn = t.sortedMovedOnMillis();
            assertThat(Double.parseDouble(c[10])).as(row).isEqualTo(movedOn.length == 0 ? 0.0 : movedOn[movedOn.length - 1]);
        }
    }

    /** The distinct event ids on a topic, read from the beginning to its end; each event checked against its schema. */
    private static Set<String> eventIds(String topic) {
        return eventIds(kafka.bootstrapServers(), topic);
    }

    static Set<String> eventIds(String bootstrapServers, String topic) {
        Set<String> ids = new TreeSet<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Set<TopicPartition> done = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (done.size() < partitions.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    // what the job published matches the event's JSON Schema (docs/events.md)
                    EventSchemas.assertValid(new String(r.value(), StandardCharsets.UTF_8));
                    ids.add(EventJson.fromBytes(r.value()).eventId());
                });
                partitions.stream().filter(p -> consumer.position(p) >= end.get(p)).forEach(done::add);
            }
        }
        return ids;
    }

}
