package io.flowgate.analytics;

import io.flowgate.analytics.functions.LeadScoreModel;
import io.flowgate.events.Topics;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every option of the analytics jobs, parsed from {@code --name value} arguments (the {@code flink run}
 * command line, or the embedded launcher). Durations are Flink durations ({@code 30m}, {@code 2s},
 * {@code 24h}, {@code 7d}); instants are ISO-8601 ({@code 2026-11-01T00:00:00Z}) or epoch milliseconds.
 * Unknown options are refused, so a typo does not silently run with a default. docs/analytics.md lists
 * them all.
 */
public record AnalyticsOptions(
        String kafkaBootstrap,
        String topic,
        String groupId,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        RuntimeExecutionMode mode,
        Instant from,
        Instant to,
        Duration rangeSlack,
        int parallelism,
        Duration checkpointInterval,
        String checkpointDir,
        Duration outOfOrderness,
        Duration idleness,
        Duration watermarkAlignment,
        Duration staleAfter,
        Duration sessionRetention,
        Duration cohortRetention,
        Duration leadRetention,
        Duration referencePollInterval,
        Duration demandWindow,
        Duration demandSlide,
        long hotDemand,
        Duration stockoutHorizon,
        int sinkBatchSize,
        Duration sinkFlushInterval,
        LeadScoreModel leadModel) {

    public static final String KAFKA_BOOTSTRAP = "kafka-bootstrap";
    public static final String TOPIC = "topic";
    public static final String GROUP_ID = "group-id";
    public static final String JDBC_URL = "jdbc-url";
    public static final String JDBC_USER = "jdbc-user";
    public static final String JDBC_PASSWORD = "jdbc-password";
    public static final String MODE = "mode";
    public static final String FROM = "from";
    public static final String TO = "to";
    public static final String RANGE_SLACK = "range-slack";
    public static final String PARALLELISM = "parallelism";
    public static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
    public static final String CHECKPOINT_DIR = "checkpoint-dir";
    public static final String OUT_OF_ORDERNESS = "out-of-orderness";
    public static final String IDLENESS = "idleness";
    public static final String WATERMARK_ALIGNMENT = "watermark-alignment";
    public static final String STALE_AFTER = "stale-after";
    public static final String SESSION_RETENTION = "session-retention";
    public static final String COHORT_RETENTION = "cohort-retention";
    public static final String LEAD_RETENTION = "lead-retention";
    public static final String REFERENCE_POLL_INTERVAL = "reference-poll-interval";
    public static final String DEMAND_WINDOW = "demand-window";
    public static final String DEMAND_SLIDE = "demand-slide";
    public static final String HOT_DEMAND = "hot-demand";
    public static final String STOCKOUT_HORIZON = "stockout-horizon";
    public static final String SINK_BATCH_SIZE = "sink-batch-size";
    public static final String SINK_FLUSH_INTERVAL = "sink-flush-interval";

    public static final String LEAD_WEIGHT_BUDGET = "lead-weight-budget";
    public static final String LEAD_WEIGHT_INDUSTRY = "lead-weight-industry";
    public static final String LEAD_WEIGHT_TIMELINE = "lead-weight-timeline";
    public static final String LEAD_WEIGHT_COMPLETION = "lead-weight-completion";
    public static final String LEAD_WEIGHT_SPEED = "lead-weight-speed";
    public static final String LEAD_PENALTY_DROPOFF = "lead-penalty-dropoff";
    public static final String LEAD_WEIGHT_REENGAGEMENT = "lead-weight-reengagement";
    public static final String LEAD_BUDGET_HIGH = "lead-budget-high";
    public static final String LEAD_BUDGET_MID = "lead-budget-mid";
    public static final String LEAD_TARGET_INDUSTRIES = "lead-target-industries";
    public static final String LEAD_URGENT_TIMELINES = "lead-urgent-timelines";
    public static final String LEAD_SOON_TIMELINES = "lead-soon-timelines";
    public static final String LEAD_FAST_STEP = "lead-fast-step";
    public static final String LEAD_HOT_THRESHOLD = "lead-hot-threshold";
    public static final String LEAD_WARM_THRESHOLD = "lead-warm-threshold";

    private static final Set<String> KNOWN = Set.of(KAFKA_BOOTSTRAP, TOPIC, GROUP_ID, JDBC_URL, JDBC_USER,
            JDBC_PASSWORD, MODE, FROM, TO, RANGE_SLACK, PARALLELISM, CHECKPOINT_INTERVAL, CHECKPOINT_DIR, OUT_OF_ORDERNESS,
            IDLENESS, WATERMARK_ALIGNMENT, STALE_AFTER, SESSION_RETENTION, COHORT_RETENTION, LEAD_RETENTION, REFERENCE_POLL_INTERVAL,
            DEMAND_WINDOW, DEMAND_SLIDE, HOT_DEMAND, STOCKOUT_HORIZON, SINK_BATCH_SIZE, SINK_FLUSH_INTERVAL,
            LEAD_WEIGHT_BUDGET, LEAD_WEIGHT_INDUSTRY, LEAD_WEIGHT_TIMELINE, LEAD_WEIGHT_COMPLETION,
            LEAD_WEIGHT_SPEED, LEAD_PENALTY_DROPOFF, LEAD_WEIGHT_REENGAGEMENT, LEAD_BUDGET_HIGH, LEAD_BUDGET_MID,
            LEAD_TARGET_INDUSTRIES, LEAD_URGENT_TIMELINES, LEAD_SOON_TIMELINES, LEAD_FAST_STEP,
            LEAD_HOT_THRESHOLD, LEAD_WARM_THRESHOLD);

    public AnalyticsOptions {
        if (demandWindow.toMillis() % demandSlide.toMillis() != 0) {
            throw new IllegalArgumentException("--" + DEMAND_WINDOW + " must be a multiple of --" + DEMAND_SLIDE);
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("--" + FROM + " must be before --" + TO);
        }
        if (staleAfter.isZero() || staleAfter.isNegative()) {
            throw new IllegalArgumentException("--" + STALE_AFTER + " must be positive");
        }
    }

    /** Parses {@code --name value} pairs; every option not given takes its documented default. */
    public static AnalyticsOptions fromArgs(String... args) {
        ParameterTool p = ParameterTool.fromArgs(args);
        Set<String> unknown = new HashSet<>(p.toMap().keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s): " + unknown.stream().sorted()
                    .map(k -> "--" + k).collect(Collectors.joining(", ")));
        }
        LeadScoreModel d = LeadScoreModel.defaults();
        LeadScoreModel model = new LeadScoreModel(
                p.getInt(LEAD_WEIGHT_BUDGET, d.budgetWeight()),
                p.getInt(LEAD_WEIGHT_INDUSTRY, d.industryWeight()),
                p.getInt(LEAD_WEIGHT_TIMELINE, d.timelineWeight()),
                p.getInt(LEAD_WEIGHT_COMPLETION, d.completionWeight()),
                p.getInt(LEAD_WEIGHT_SPEED, d.speedWeight()),
                p.getInt(LEAD_PENALTY_DROPOFF, d.dropoffPenalty()),
                p.getInt(LEAD_WEIGHT_REENGAGEMENT, d.reengagementWeight()),
                p.getDouble(LEAD_BUDGET_HIGH, d.budgetHigh()),
                p.getDouble(LEAD_BUDGET_MID, d.budgetMid()),
                list(p, LEAD_TARGET_INDUSTRIES, d.targetIndustries()),
                list(p, LEAD_URGENT_TIMELINES, d.urgentTimelines()),
                list(p, LEAD_SOON_TIMELINES, d.soonTimelines()),
                duration(p, LEAD_FAST_STEP, Duration.ofSeconds(d.fastStepSeconds())).toSeconds(),
                p.getInt(LEAD_HOT_THRESHOLD, d.hotThreshold()),
                p.getInt(LEAD_WARM_THRESHOLD, d.warmThreshold()));
        return new AnalyticsOptions(
                p.get(KAFKA_BOOTSTRAP, "localhost:9092"),
                p.get(TOPIC, Topics.TRANSITIONS),
                p.get(GROUP_ID, "flowgate-analytics"),
                p.get(JDBC_URL, "jdbc:postgresql://localhost:5432/flowgate"),
                p.get(JDBC_USER, "postgres"),
                p.get(JDBC_PASSWORD, ""),
                mode(p.get(MODE, "streaming")),
                instant(p, FROM),
                instant(p, TO),
                duration(p, RANGE_SLACK, Duration.ofMinutes(5)),
                p.getInt(PARALLELISM, 0),
                duration(p, CHECKPOINT_INTERVAL, Duration.ofSeconds(10)),
                p.get(CHECKPOINT_DIR),
                duration(p, OUT_OF_ORDERNESS, Duration.ofSeconds(2)),
                duration(p, IDLENESS, Duration.ZERO),
                duration(p, WATERMARK_ALIGNMENT, Duration.ZERO),
                duration(p, STALE_AFTER, Duration.ofMinutes(30)),
                duration(p, SESSION_RETENTION, Duration.ofHours(24)),
                duration(p, COHORT_RETENTION, Duration.ofDays(7)),
                duration(p, LEAD_RETENTION, Duration.ofDays(30)),
                duration(p, REFERENCE_POLL_INTERVAL, Duration.ofSeconds(10)),
                duration(p, DEMAND_WINDOW, Duration.ofHours(1)),
                duration(p, DEMAND_SLIDE, Duration.ofMinutes(1)),
                p.getLong(HOT_DEMAND, 10),
                duration(p, STOCKOUT_HORIZON, Duration.ofHours(24)),
                p.getInt(SINK_BATCH_SIZE, 1000),
                duration(p, SINK_FLUSH_INTERVAL, Duration.ofMillis(200)),
                model);
    }

    public boolean batch() {
        return mode == RuntimeExecutionMode.BATCH;
    }

    /** First event time of the run (epoch ms), inclusive. */
    public long fromMillis() {
        return from == null ? Long.MIN_VALUE : from.toEpochMilli();
    }

    /** The run's event-time end (epoch ms), exclusive; {@link Long#MAX_VALUE} for an open-ended run. */
    public long toMillis() {
        return to == null ? Long.MAX_VALUE : to.toEpochMilli();
    }

    /** The last instant of event time this run reasons about: no timer is set after it. */
    public long endOfTime() {
        return to == null ? Long.MAX_VALUE : to.toEpochMilli() - 1;
    }

    /** Whether the transitions source stops (batch, or a streaming run with {@code --to}). */
    public boolean bounded() {
        return batch() || to != null;
    }

    private static RuntimeExecutionMode mode(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "streaming" -> RuntimeExecutionMode.STREAMING;
            case "batch" -> RuntimeExecutionMode.BATCH;
            default -> throw new IllegalArgumentException("--" + MODE + " must be streaming or batch, not " + value);
        };
    }

    private static Duration duration(ParameterTool p, String key, Duration fallback) {
        String value = p.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + key + ": not a duration (e.g. 30m, 2s, 24h): " + value, e);
        }
    }

    private static Instant instant(ParameterTool p, String key) {
        String value = p.get(key);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value)) : Instant.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--" + key + ": not an ISO-8601 instant or epoch milliseconds: " + value, e);
        }
    }

    private static Set<String> list(ParameterTool p, String key, Set<String> fallback) {
        String value = p.get(key);
        if (value == null) {
            return fallback;
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    @Override
    public String toString() {
        // the record's own toString would print the database password into the logs
        return "AnalyticsOptions[mode=" + mode + ", from=" + from + ", to=" + to + ", staleAfter=" + staleAfter
                + ", parallelism=" + parallelism + ", kafka=" + kafkaBootstrap + ", topic=" + topic
                + ", jdbc=" + jdbcUrl + ", user=" + jdbcUser + "]";
    }
}
