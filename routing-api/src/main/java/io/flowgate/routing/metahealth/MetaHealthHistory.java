package io.flowgate.routing.metahealth;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.LatencyAlert;
import io.flowgate.events.MetaFlowAlert;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.events.Topics;
import io.flowgate.routing.outbox.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Timestamp;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps Meta's view of each Flow (issue 14): every signal of Meta's {@code flows} webhook
 * ({@code flowgate.meta-health}) becomes one row of {@code meta_flow_health} ({@code source='webhook'}),
 * with Meta's figures in their columns and the value whole in {@code payload}; Flowgate's Flow is named
 * from {@code meta_flows} when it is known there. In the same transaction:
 * <ul>
 *   <li>a {@code FLOW_STATUS_CHANGE} sets {@code meta_flows.meta_status}, unless a later status change
 *       of the Flow is already stored (Meta does not deliver in order); the status history is the
 *       {@code FLOW_STATUS_CHANGE} rows;</li>
 *   <li>an alert Meta activated or deactivated, and a Flow throttled, blocked or recovered, appends a
 *       {@link MetaFlowAlert} to the outbox for {@code flowgate.alerts}, next to Flowgate's own
 *       {@code latency_alert}s.</li>
 * </ul>
 * A signal stored before (the same {@code dedup_key}, its event id) changes nothing and publishes nothing.
 */
@Component
public class MetaHealthHistory {

    public static final String SOURCE_WEBHOOK = "webhook";
    /** The {@code meta_flow_id} of a signal in which Meta named no Flow. */
    static final String NO_FLOW = "unknown";
    private static final Set<String> DEGRADED = Set.of("THROTTLED", "BLOCKED");

    private static final Logger log = LoggerFactory.getLogger(MetaHealthHistory.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Outbox outbox;
    private final MeterRegistry meters;

    MetaHealthHistory(JdbcClient jdbc, TransactionTemplate tx, Outbox outbox, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
        this.meters = meters;
    }

    /** Stores one signal; returns {@code stored}, {@code duplicate} or {@code unidentified}. */
    public String record(MetaFlowSignal signal) {
        String outcome = signal.eventId() == null || signal.payload() == null || !signal.payload().isObject()
                ? "unidentified" : tx.execute(status -> store(signal));
        meters.counter("flowgate.meta.signals", "outcome", outcome).increment();
        return outcome;
    }

    private String store(MetaFlowSignal signal) {
        JsonNode v = signal.payload();
        String metaFlowId = signal.metaFlowId() != null ? signal.metaFlowId() : NO_FLOW;
        String flowId = jdbc.sql("SELECT flow_id FROM meta_flows WHERE meta_flow_id = :m").param("m", metaFlowId)
                .query(String.class).optional().orElse(null);
        String alertState = text(v, "alert_state");
        String oldStatus = text(v, "old_status");
        String newStatus = text(v, "new_status");
        Timestamp observedAt = Timestamp.from(signal.eventTime());
        Optional<Long> id = jdbc.sql("""
                        INSERT INTO meta_flow_health (meta_flow_id, flow_id, source, kind, observed_at, alert_state, p50_ms,
                            p90_ms, error_rate, availability, requests, threshold, old_status, new_status, payload, dedup_key)
                        VALUES (:metaFlowId, :flowId, :source, :kind, :observedAt, :alertState, :p50, :p90, :errorRate,
                            :availability, :requests, :threshold, :oldStatus, :newStatus, CAST(:payload AS jsonb), :dedupKey)
                        ON CONFLICT (dedup_key) DO NOTHING
                        RETURNING id""")
                .param("metaFlowId", metaFlowId)
                .param("flowId", flowId)
                .param("source", SOURCE_WEBHOOK)
                .param("kind", signal.event())
                .param("observedAt", observedAt)
                .param("alertState", alertState)
                .param("p50", number(v, "p50_latency"))
                .param("p90", number(v, "p90_latency"))
                .param("errorRate", number(v, "error_rate"))
                .param("availability", number(v, "availability"))
                .param("requests", number(v, "requests_count") == null ? null : v.get("requests_count").asLong())
                .param("threshold", number(v, "threshold"))
                .param("oldStatus", oldStatus)
                .param("newStatus", newStatus)
                .param("payload", v.toString())
                .param("dedupKey", signal.eventId())
                .query(Long.class).optional();
        if (id.isEmpty()) {
            return "duplicate";
        }
        if (MetaFlowSignal.FLOW_STATUS_CHANGE.equals(signal.event()) && newStatus != null) {
            int updated = jdbc.sql("""
                            UPDATE meta_flows SET meta_status = :status, updated_at = now()
                             WHERE meta_flow_id = :m
                               AND NOT EXISTS (SELECT 1 FROM meta_flow_health h
                                                WHERE h.meta_flow_id = :m AND h.kind = 'FLOW_STATUS_CHANGE'
                                                  AND h.new_status IS NOT NULL AND h.observed_at > :at)""")
                    .param("status", newStatus).param("m", metaFlowId).param("at", observedAt).update();
            log.info("Meta: Flow {} ({}) went from {} to {}{}", metaFlowId, flowId == null ? "not in meta_flows" : flowId,
                    oldStatus, newStatus, updated == 0 && flowId != null ? " (a later status is already known)" : "");
        }
        alert(signal, metaFlowId, flowId, alertState, oldStatus, newStatus)
                .ifPresent(alert -> outbox.append(Topics.ALERTS, alert));
        return "stored";
    }

    /** The alert a signal raises or clears, if any. */
    private static Optional<MetaFlowAlert> alert(MetaFlowSignal signal, String metaFlowId, String flowId, String alertState,
                                                 String oldStatus, String newStatus) {
        JsonNode v = signal.payload();
        String state;
        if ("ACTIVATED".equals(alertState)) {
            state = LatencyAlert.FIRING;
        } else if ("DEACTIVATED".equals(alertState)) {
            state = LatencyAlert.RESOLVED;
        } else if (MetaFlowSignal.FLOW_STATUS_CHANGE.equals(signal.event()) && DEGRADED.contains(newStatus)) {
            state = LatencyAlert.FIRING;
        } else if (MetaFlowSignal.FLOW_STATUS_CHANGE.equals(signal.event()) && DEGRADED.contains(oldStatus) && newStatus != null) {
            state = LatencyAlert.RESOLVED;
        } else {
            return Optional.empty();
        }
        Double value = switch (signal.event()) {
            case MetaFlowSignal.ENDPOINT_LATENCY -> number(v, "p90_latency");
            case MetaFlowSignal.ENDPOINT_AVAILABILITY -> number(v, "availability");
            default -> number(v, "error_rate");
        };
        return Optional.of(new MetaFlowAlert("meta-alert:" + signal.eventId(), signal.eventTime(), metaFlowId, flowId,
                signal.event(), state, value, number(v, "threshold"), oldStatus, newStatus, text(v, "message")));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }
}
