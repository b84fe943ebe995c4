package io.flowgate.routing.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.whatsapp.GraphApi;
import io.flowgate.routing.system.worker.Worker;
import io.flowgate.routing.whatsapp.GraphApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads Meta's Flow metrics API (reference §1.8: {@code GET /<FLOW_ID>?fields=metric.name(M).granularity(G)
 * .since(…).until(…)}) for every Flow in {@code meta_flows}, on a schedule, and stores each data point in
 * {@code meta_flow_health} with {@code source='metrics_api'}, beside the {@code flows} webhook's signals.
 *
 * <p>A point is identified by {@code meta_flow_id:metric:granularity:start}. Reading it again updates it in
 * place when Meta's figure changed, and touches nothing otherwise: the current day's (or hour's) point is
 * partial and Meta's metrics arrive hours late, so the same point grows over several readings; one row per
 * point with Meta's latest figure is what a chart needs, and the webhook history is unaffected.
 *
 * <p>The schedule runs only with an access token and a non-zero {@code FLOWGATE_META_METRICS_INTERVAL}. A
 * metric Meta refuses (for instance "not enough data": Meta answers only once a Flow had 250 requests) is
 * logged and skipped; the other metrics and Flows are still read. A failed round (the database, or Meta, away)
 * is logged once ({@link Worker}) and tried again an interval later.
 */
@Component
class MetaMetrics extends Worker {

    static final List<String> METRICS = List.of("ENDPOINT_REQUEST_COUNT", "ENDPOINT_REQUEST_ERROR_RATE",
            "ENDPOINT_REQUEST_LATENCY_SECONDS_CEIL", "ENDPOINT_AVAILABILITY");
    private static final DateTimeFormatter META_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssZ");
    private static final Logger log = LoggerFactory.getLogger(MetaMetrics.class);
    private static final Duration FIRST_READ_AFTER = Duration.ofSeconds(10);

    private final GraphApi graph;
    private final MetaFlows flows;
    private final JdbcClient jdbc;
    private final MetaProperties properties;
    private final Clock clock;

    MetaMetrics(GraphApi graph, MetaFlows flows, JdbcClient jdbc, MetaProperties properties, Clock clock) {
        // a failed round is tried again an interval later, like any other
        super("flowgate-meta-metrics", log, properties.metricsInterval(), properties.metricsInterval(),
                properties.metricsInterval(), Duration.ofSeconds(5));
        this.graph = graph;
        this.flows = flows;
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    /** One figure of a data point, ready for the table. */
    record Point(String metaFlowId, String metric, String granularity, Instant start, Double value, Long requests,
                 Double errorRate, Double availability, Double p50Ms, Double p90Ms, String payload) {
        String dedupKey() {
            return metaFlowId + ":" + metric + ":" + granularity + ":" + start;
        }
    }

    /** Reads every metric of one Flow; answers what was stored and which metrics Meta refused. */
    Map<String, Object> read(MetaFlows.Row flow) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate since = today.minusDays(Math.max(1, properties.metricsLookback().toDays()));
        int stored = 0;
        int changed = 0;
        Map<String, Object> refused = new LinkedHashMap<>();
        for (String metric : METRICS) {
            JsonNode answer;
            try {
                answer = graph.get(flow.metaFlowId() + "?fields=metric.name(" + metric + ").granularity("
                        + properties.metricsGranularity() + ").since(" + since + ").until(" + today.plusDays(1) + ")");
            } catch (GraphApiException e) {
                if (e.kind() == GraphApiException.Kind.NOT_CONFIGURED) {
                    throw e;
                }
                log.info("Meta's {} for flow {} not read: {}", metric, flow.flowId(), e.getMessage());
                refused.put(metric, e.code() == null ? e.getMessage() : e.code() + " " + e.metaMessage());
                continue;
            }
            for (Point point : points(flow.metaFlowId(), answer)) {
                stored++;
                changed += store(flow.flowId(), point);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("flow_id", flow.flowId());
        out.put("points", stored);
        out.put("changed", changed);
        out.put("refused", refused);
        return out;
    }

    /** The data points of one answer ({@code {"metric": {"name", "granularity", "data_points": [{timestamp, data}]}}}). */
    static List<Point> points(String metaFlowId, JsonNode answer) {
        JsonNode metric = answer.path("metric");
        String name = metric.path("name").asText("");
        String granularity = metric.path("granularity").asText("");
        List<Point> points = new ArrayList<>();
        for (JsonNode point : metric.path("data_points")) {
            Instant start = time(point.path("timestamp").asText(""));
            if (start == null || name.isEmpty()) {
                continue;
            }
            Map<String, Double> data = new LinkedHashMap<>();
            point.path("data").forEach(d -> {
                if (d.path("key").isTextual() && d.path("value").isNumber()) {
                    data.put(d.path("key").asText(), d.path("value").asDouble());
                }
            });
            Double single = data.get("value");
            Double value = single;
            Long requests = null;
            Double errorRate = null;
            Double availability = null;
            Double p50 = null;
            Double p90 = null;
            switch (name) {
                case "ENDPOINT_REQUEST_COUNT" -> requests = single == null ? null : single.longValue();
                case "ENDPOINT_REQUEST_ERROR_RATE" -> errorRate = percent(single);
                case "ENDPOINT_AVAILABILITY" -> availability = percent(single);
                case "ENDPOINT_REQUEST_LATENCY_SECONDS_CEIL" -> {
                    // latencies counted per whole-second ceiling: the percentiles are bucket ceilings
                    TreeMap<Double, Double> buckets = new TreeMap<>();
                    data.forEach((key, count) -> {
                        try {
                            buckets.merge(Double.parseDouble(key), count, Double::sum);
                        } catch (NumberFormatException notABucket) {
                            // a key Meta may add later; kept in the payload
                        }
                    });
                    double total = buckets.values().stream().mapToDouble(Double::doubleValue).sum();
                    if (total > 0) {
                        requests = (long) total;
                        p50 = ceiling(buckets, total, 0.5) * 1000;
                        p90 = ceiling(buckets, total, 0.9) * 1000;
                        value = p90 / 1000;
                    }
                }
                default -> {
                    if (value == null && !data.isEmpty()) {
                        value = data.values().stream().mapToDouble(Double::doubleValue).sum();
                    }
                }
            }
            points.add(new Point(metaFlowId, name, granularity, start, value, requests, errorRate, availability, p50, p90,
                    point.toString()));
        }
        return points;
    }

    /** Stores one point, or updates it when Meta's figure changed; returns 1 when a row was written. */
    int store(String flowId, Point p) {
        return jdbc.sql("""
                        INSERT INTO meta_flow_health (meta_flow_id, flow_id, source, kind, observed_at, metric_value, granularity,
                            requests, error_rate, availability, p50_ms, p90_ms, payload, dedup_key)
                        VALUES (:meta, :flow, 'metrics_api', :kind, :at, :value, :granularity, :requests, :errorRate, :availability,
                            :p50, :p90, CAST(:payload AS jsonb), :key)
                        ON CONFLICT (dedup_key) DO UPDATE SET metric_value = EXCLUDED.metric_value, requests = EXCLUDED.requests,
                            error_rate = EXCLUDED.error_rate, availability = EXCLUDED.availability, p50_ms = EXCLUDED.p50_ms,
                            p90_ms = EXCLUDED.p90_ms, payload = EXCLUDED.payload, received_at = now(),
                            flow_id = coalesce(EXCLUDED.flow_id, meta_flow_health.flow_id)
                        WHERE meta_flow_health.payload IS DISTINCT FROM EXCLUDED.payload""")
                .param("meta", p.metaFlowId()).param("flow", flowId).param("kind", p.metric())
                .param("at", java.sql.Timestamp.from(p.start())).param("value", p.value()).param("granularity", p.granularity())
                .param("requests", p.requests()).param("errorRate", p.errorRate()).param("availability", p.availability())
                .param("p50", p.p50Ms()).param("p90", p.p90Ms()).param("payload", p.payload()).param("key", p.dedupKey())
                .update();
    }

    @Override
    protected Step step() {
        for (MetaFlows.Row flow : flows.all()) {
            Map<String, Object> result = read(flow);
            log.debug("Meta metrics of flow {}: {}", flow.flowId(), result);
        }
        return Step.IDLE;
    }

    @Override
    protected String failureMessage(Throwable cause) {
        return "reading Meta's Flow metrics failed (" + cause.getMessage() + ")";
    }

    @Override
    protected String recoveryMessage() {
        return "reading Meta's Flow metrics works again";
    }

    private static Double percent(Double ratioOrPercent) {
        if (ratioOrPercent == null) {
            return null;
        }
        // Meta documents ratios (0.24 = 24 %); a value above 1 is taken as a percentage already
        return ratioOrPercent <= 1 ? ratioOrPercent * 100 : ratioOrPercent;
    }

    private static double ceiling(TreeMap<Double, Double> buckets, double total, double quantile) {
        double seen = 0;
        for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
            seen += bucket.getValue();
            if (seen >= quantile * total) {
                return bucket.getKey();
            }
        }
        return buckets.lastKey();
    }

    private static Instant time(String text) {
        try {
            return OffsetDateTime.parse(text, META_TIME).toInstant();
        } catch (DateTimeParseException notMetaStyle) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    @Override
    protected boolean enabled() {
        if (properties.metricsInterval().isZero() || properties.metricsInterval().isNegative()) {
            log.info("reading Meta's Flow metrics is off (FLOWGATE_META_METRICS_INTERVAL=0)");
            return false;
        }
        if (!graph.hasToken()) {
            log.info("reading Meta's Flow metrics is off: FLOWGATE_ACCESS_TOKEN is not set");
            return false;
        }
        log.info("reading Meta's Flow metrics every {} ({} granularity)", properties.metricsInterval(), properties.metricsGranularity());
        return true;
    }

    @Override
    protected Duration firstDelay() {
        return properties.metricsInterval().compareTo(FIRST_READ_AFTER) < 0 ? properties.metricsInterval() : FIRST_READ_AFTER;
    }

    @Override
    protected void unblock() {
        interruptThread();
    }
}
