package io.flowgate.analytics;

import io.flowgate.analytics.functions.AlertEvaluator;
import io.flowgate.analytics.functions.AlertScopes;
import io.flowgate.analytics.functions.DropoffCounter;
import io.flowgate.analytics.functions.EndpointKey;
import io.flowgate.analytics.functions.ExperimentMonitor;
import io.flowgate.analytics.functions.FirstSeenFilter;
import io.flowgate.analytics.functions.HotInventoryTracker;
import io.flowgate.analytics.functions.LatencyAggregate;
import io.flowgate.analytics.functions.LeadScorer;
import io.flowgate.analytics.functions.MinuteLatencyWindow;
import io.flowgate.analytics.functions.ReferenceDataWatermarks;
import io.flowgate.analytics.functions.ScreenExitCounter;
import io.flowgate.analytics.functions.SessionTracker;
import io.flowgate.analytics.functions.SplitByKind;
import io.flowgate.analytics.records.AlertRules;
import io.flowgate.analytics.records.AlertScopeMinute;
import io.flowgate.analytics.records.EndpointCall;
import io.flowgate.analytics.records.EndpointLatencyRow;
import io.flowgate.analytics.records.ExperimentDefinitions;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.ExperimentResultRow;
import io.flowgate.analytics.records.InventorySnapshot;
import io.flowgate.analytics.records.MinuteLatency;
import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.ScreenDropoffRow;
import io.flowgate.analytics.records.ScreenExits;
import io.flowgate.analytics.records.ScreenTimeRow;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.analytics.records.TopicEvent;
import io.flowgate.events.ExperimentGuardrailBreached;
import io.flowgate.events.LatencyAlert;
import io.flowgate.events.StaleSession;
import io.flowgate.schema.FlowgateSchema;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The analytics jobs of Flowgate, one Flink job: {@code flowgate.transitions} in; {@code screen_dropoff},
 * {@code screen_dropoff_by_version}, {@code screen_time}, {@code screen_paths}, {@code stale_sessions},
 * {@code lead_scores}, {@code hot_inventory}, {@code endpoint_latency} and {@code latency_alerts},
 * {@code experiment_results}, {@code experiment_screen_dropoff} and {@code experiment_guardrail_stops} out, plus
 * the {@code flowgate.stale-sessions} and {@code flowgate.alerts} topics.
 * The same graph runs streaming (continuously, with checkpoints) or batch ({@code --mode batch --from --to})
 * and, because every operator works in event time and every sink upserts absolute values, both give the
 * same tables.
 *
 * <p>Like flink-training's LongRidesSolution, the job takes its sources and sinks in the constructor, so
 * tests run it on bounded sources and their own sinks; {@link #main} only wires Kafka and PostgreSQL from
 * the options. The embedded launcher calls {@link #buildInto}. Operator uids are part of the savepoint
 * format: never change one.
 */
public final class AnalyticsJobs {

    private static final Logger log = LoggerFactory.getLogger(AnalyticsJobs.class);
    public static final String JOB_NAME = "flowgate-analytics";
    private static final Duration MINUTE = Duration.ofMinutes(1);
    static final int BATCH_RESTART_ATTEMPTS = 3;
    static final Duration BATCH_RESTART_DELAY = Duration.ofSeconds(2);
    /** Keys a {@link io.flowgate.analytics.functions.LocalCombiner} holds before it flushes them all early. */
    static final int COMBINE_MAX_KEYS = 10_000;

    private final AnalyticsOptions options;
    private final AnalyticsSources sources;
    private final AnalyticsSinks sinks;

    public AnalyticsJobs(AnalyticsOptions options, AnalyticsSources sources, AnalyticsSinks sinks) {
        this.options = options;
        this.sources = sources;
        this.sinks = sinks;
    }

    /** {@code flink run flink-jobs-*-job.jar --kafka-bootstrap … --jdbc-url …}: see docs/analytics.md. */
    public static void main(String[] args) throws Exception {
        AnalyticsOptions options = AnalyticsOptions.fromArgs(args);
        createTables(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        buildInto(env, options);
        log.info("starting {} with {}", JOB_NAME, options);
        env.execute(JOB_NAME);
    }

    /**
     * Creates the tables the job reads and writes, with the rest of Flowgate's schema, when they do not exist
     * yet: the stand-alone job ({@link #main}, on a cluster or without one) does this every time it starts, so it
     * needs no routing-api to have run first. It is {@link FlowgateSchema#migrate}, as routing-api runs it at its
     * start: idempotent, serialized by Flyway's lock, and it leaves migrations newer than this jar (applied by a
     * newer routing-api) alone. The embedded run and the tests migrate before building the job.
     */
    static void createTables(AnalyticsOptions options) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(options.jdbcUrl());
        dataSource.setUser(options.jdbcUser());
        dataSource.setPassword(options.jdbcPassword());
        FlowgateSchema.migrate(dataSource);
    }

    /**
     * Configures {@code env} (mode, parallelism, checkpoints) from the options and adds every analytics job
     * to it, reading Kafka and writing PostgreSQL and Kafka as the options say. The caller executes the
     * environment (the embedded launcher: {@code env.executeAsync(AnalyticsJobs.JOB_NAME)}).
     */
    public static void buildInto(StreamExecutionEnvironment env, AnalyticsOptions options) {
        configure(env, options);
        new AnalyticsJobs(options, AnalyticsSources.production(options), AnalyticsSinks.production(options)).build(env);
    }

    /**
     * Applies the options' execution mode, parallelism, checkpointing and restart strategy to {@code env}.
     * Checkpoints are retained when the job is cancelled, so a job stopped without a savepoint can be resumed
     * from its last one (docs/operations.md).
     */
    public static void configure(StreamExecutionEnvironment env, AnalyticsOptions options) {
        env.setRuntimeMode(options.mode());
        if (options.parallelism() > 0) {
            env.setParallelism(options.parallelism());
        }
        if (!options.batch() && !options.checkpointInterval().isZero()) {
            env.enableCheckpointing(options.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
            Configuration retention = new Configuration();
            retention.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                    ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            env.configure(retention);
        }
        env.configure(restartStrategy(options));
        if (options.checkpointDir() != null) {
            // without it Flink falls back to the cluster's execution.checkpointing.dir, or else keeps checkpoints in
            // JobManager memory, which refuses state over 5 MB: a few thousand live sessions
            Configuration storage = new Configuration();
            storage.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            storage.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, options.checkpointDir());
            env.configure(storage);
        }
    }

    /**
     * How the job comes back after a failure (one failed Kafka send, a database restart). Batch: a few
     * attempts a few seconds apart, then the recompute fails (its sinks are idempotent, a restarted region
     * rewrites the same rows). Streaming: exponential back-off from 1 s to 1 min, without limit, as a
     * long-running job should; it restores from its latest checkpoint each time.
     */
    static Configuration restartStrategy(AnalyticsOptions options) {
        Configuration restart = new Configuration();
        if (options.batch()) {
            restart.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, BATCH_RESTART_ATTEMPTS);
            restart.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, BATCH_RESTART_DELAY);
        } else {
            restart.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
            restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(1));
        }
        return restart;
    }

    /** Adds the job graph to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        long endOfTime = options.endOfTime();

        DataStream<TopicEvent> events = env
                .fromSource(sources.transitions(), eventWatermarks(), "transitions")
                .uid("transitions-source");
        SingleOutputStreamOperator<SessionStep> steps = events
                .process(new SplitByKind())
                .name("split-by-kind").uid("split-by-kind");

        SingleOutputStreamOperator<ScreenDelta> deltas = steps
                .keyBy(SessionStep::sessionId)
                .process(new SessionTracker(options.staleAfter(), options.sessionRetention(), endOfTime))
                .name("session-tracker").uid("session-tracker");

        buildFunnels(deltas, endOfTime);
        buildFlowVersions(deltas);
        buildLeadScores(deltas, endOfTime);
        buildHotInventory(env, deltas, endOfTime);
        SingleOutputStreamOperator<EndpointCall> calls = steps.getSideOutput(SplitByKind.ENDPOINT_CALLS)
                .keyBy(FirstSeenFilter.KEY, Types.STRING)
                .process(new FirstSeenFilter(MINUTE))
                .name("dedup-endpoint-requests").uid("dedup-endpoint-requests");
        buildEndpointLatency(env, calls, endOfTime);
        buildExperiments(env, deltas.getSideOutput(SessionTracker.EXPERIMENT_SESSIONS), calls);
    }

    /**
     * Routing experiments (docs/experiments.md): the sessions of each experiment (from the session tracker)
     * and its endpoint requests, per variant, judged once per event-time minute by the sequential tests and
     * the guardrails; a breach stops the variant through {@code experiment_guardrail_stops} and is announced
     * on {@code flowgate.alerts}.
     */
    private void buildExperiments(StreamExecutionEnvironment env, DataStream<ExperimentInput> sessions,
                                  DataStream<EndpointCall> calls) {
        BroadcastStream<ExperimentDefinitions> definitions = env
                .fromSource(sources.experiments(), new ReferenceDataWatermarks<>(), "experiments-table")
                .uid("experiments-source").setParallelism(1)
                .broadcast(ExperimentMonitor.DEFINITIONS);
        DataStream<ExperimentInput> requests = calls
                .filter(call -> call.experimentId() != null)
                .name("experiment-requests").uid("experiment-requests")
                .map(ExperimentInput::request)
                .name("experiment-request-inputs").uid("experiment-request-inputs");
        SingleOutputStreamOperator<ExperimentResultRow> results = sessions.union(requests)
                .keyBy(ExperimentInput::experimentId)
                .connect(definitions)
                .process(new ExperimentMonitor())
                .name("experiment-monitor").uid("experiment-monitor");
        results.sinkTo(sinks.experimentResults()).name("experiment_results-sink").uid("experiment_results-sink");
        results.getSideOutput(ExperimentMonitor.SCREENS)
                .sinkTo(sinks.experimentScreens()).name("experiment_screen_dropoff-sink").uid("experiment_screen_dropoff-sink");
        DataStream<ExperimentGuardrailBreached> breaches = results.getSideOutput(ExperimentMonitor.BREACHES);
        breaches.sinkTo(sinks.experimentStops()).name("experiment_guardrail_stops-sink").uid("experiment_guardrail_stops-sink");
        breaches.sinkTo(sinks.experimentAlertEvents()).name("experiment-alerts-topic").uid("experiment-alerts-topic");
    }

    /**
     * The funnel: {@code screen_dropoff_by_version}'s counter (keyed finer, by Flow version too) counts the
     * tracker's deltas, combined per version row before their keyed exchange ({@link DropoffCounter#combiner}), and
     * {@code screen_dropoff}'s sums what that one passes on ({@link DropoffCounter#ROLL_UP}), so each delta crosses
     * the network at most once, inside a sum; then the stale sessions.
     */
    private void buildFunnels(SingleOutputStreamOperator<ScreenDelta> deltas, long endOfTime) {
        SingleOutputStreamOperator<ScreenDropoffRow> byVersion = deltas
                .transform("screen-dropoff-combine", TypeInformation.of(ScreenDelta.class),
                        DropoffCounter.combiner(COMBINE_MAX_KEYS))
                .uid("screen-dropoff-combine")
                .keyBy(ScreenDelta::versionRowKey)
                .process(DropoffCounter.rollingUp(options.cohortRetention(), endOfTime))
                .name("screen-dropoff-by-version").uid("screen-dropoff-by-version");
        byVersion.sinkTo(sinks.screenDropoffByVersion())
                .name("screen_dropoff_by_version-sink").uid("screen_dropoff_by_version-sink");
        byVersion.getSideOutput(DropoffCounter.ROLL_UP)
                .keyBy(ScreenDelta::rowKey)
                .process(new DropoffCounter(options.cohortRetention(), endOfTime))
                .name("screen-dropoff").uid("screen-dropoff")
                .sinkTo(sinks.screenDropoff()).name("screen_dropoff-sink").uid("screen_dropoff-sink");

        DataStream<StaleSession> stale = deltas.getSideOutput(SessionTracker.STALE_SESSIONS);
        stale.sinkTo(sinks.staleSessions()).name("stale_sessions-sink").uid("stale_sessions-sink");
        stale.sinkTo(sinks.staleSessionEvents()).name("stale-sessions-topic").uid("stale-sessions-topic");
    }

    /**
     * Per Flow version: time on screen and paths from the tracker's screen exits ({@code screen_time},
     * {@code screen_paths}), combined per screen before their keyed exchange; the funnel per version is built with
     * the funnel ({@link #buildFunnels}).
     */
    private void buildFlowVersions(SingleOutputStreamOperator<ScreenDelta> deltas) {
        SingleOutputStreamOperator<ScreenTimeRow> times = deltas.getSideOutput(SessionTracker.SCREEN_EXITS)
                .transform("screen-exits-combine", TypeInformation.of(ScreenExits.class),
                        ScreenExitCounter.combiner(COMBINE_MAX_KEYS))
                .uid("screen-exits-combine")
                .keyBy(ScreenExits::screenKey)
                .process(new ScreenExitCounter(options.staleAfter()))
                .name("screen-exits").uid("screen-exits");
        times.sinkTo(sinks.screenTime()).name("screen_time-sink").uid("screen_time-sink");
        times.getSideOutput(ScreenExitCounter.PATHS)
                .sinkTo(sinks.screenPaths()).name("screen_paths-sink").uid("screen_paths-sink");
    }

    private void buildLeadScores(SingleOutputStreamOperator<ScreenDelta> deltas, long endOfTime) {
        deltas.getSideOutput(SessionTracker.SUMMARIES)
                .keyBy(summary -> summary.userId())
                .process(new LeadScorer(options.leadModel(), options.leadRetention(), endOfTime))
                .name("lead-scorer").uid("lead-scorer")
                .sinkTo(sinks.leadScores()).name("lead_scores-sink").uid("lead_scores-sink");
    }

    private void buildHotInventory(StreamExecutionEnvironment env, SingleOutputStreamOperator<ScreenDelta> deltas,
                                   long endOfTime) {
        BroadcastStream<InventorySnapshot> inventory = env
                .fromSource(sources.inventory(), new ReferenceDataWatermarks<>(), "inventory-table")
                .uid("inventory-source").setParallelism(1)
                .broadcast(HotInventoryTracker.INVENTORY);
        deltas.getSideOutput(SessionTracker.ITEM_SELECTIONS)
                .keyBy(selection -> selection.itemId())
                .connect(inventory)
                .process(new HotInventoryTracker(options.demandWindow(), options.demandSlide(), options.hotDemand(),
                        options.stockoutHorizon(), endOfTime))
                .name("hot-inventory").uid("hot-inventory")
                .sinkTo(sinks.hotInventory()).name("hot_inventory-sink").uid("hot_inventory-sink");
    }

    /** Endpoint latency per minute and the latency alerts, from the requests (each once, by event id). */
    private void buildEndpointLatency(StreamExecutionEnvironment env, DataStream<EndpointCall> calls, long endOfTime) {
        SingleOutputStreamOperator<MinuteLatency> minutes = calls
                .keyBy(new EndpointKey(), EndpointKey.TYPE)
                .window(TumblingEventTimeWindows.of(MINUTE))
                .aggregate(new LatencyAggregate(), new MinuteLatencyWindow())
                .name("endpoint-latency-minutes").uid("endpoint-latency-minutes");
        minutes.map(EndpointLatencyRow::of)
                .name("endpoint-latency-rows").uid("endpoint-latency-rows")
                .sinkTo(sinks.endpointLatency()).name("endpoint_latency-sink").uid("endpoint_latency-sink");

        BroadcastStream<AlertRules> rules = env
                .fromSource(sources.alertRules(), new ReferenceDataWatermarks<>(), "latency-alert-rules")
                .uid("alert-rules-source").setParallelism(1)
                .broadcast(AlertEvaluator.RULES);
        SingleOutputStreamOperator<LatencyAlert> alerts = minutes
                .flatMap(new AlertScopes())
                .name("alert-scopes").uid("alert-scopes")
                .keyBy(AlertScopeMinute::scope)
                .connect(rules)
                .process(new AlertEvaluator(endOfTime))
                .name("latency-alerts").uid("latency-alerts");
        alerts.sinkTo(sinks.latencyAlerts()).name("latency_alerts-sink").uid("latency_alerts-sink");
        alerts.sinkTo(sinks.alertEvents()).name("alerts-topic").uid("alerts-topic");
    }

    /**
     * Per-partition bounded out-of-orderness on the events' own time. Event time moves on in quiet periods
     * through routing-api's heartbeats (one per partition every second or two), which a batch replay reads
     * as well; so by default no partition is ever declared idle by the wall clock, and a partition that lags
     * while a backlog is read holds the watermark back as it must. {@code --idleness} is an explicit opt-in
     * for topics without heartbeats, with the caveat in docs/analytics.md.
     */
    private WatermarkStrategy<TopicEvent> eventWatermarks() {
        WatermarkStrategy<TopicEvent> strategy = WatermarkStrategy
                .<TopicEvent>forBoundedOutOfOrderness(options.outOfOrderness())
                .withTimestampAssigner((event, kafkaTimestamp) -> event.eventTime());
        if (!options.watermarkAlignment().isZero()) {
            // opt-in: pauses the partitions more than this ahead of the slowest one (docs/analytics.md)
            strategy = strategy.withWatermarkAlignment("transitions", options.watermarkAlignment(), Duration.ofSeconds(1));
        }
        return options.idleness().isZero() ? strategy : strategy.withIdleness(options.idleness());
    }
}
