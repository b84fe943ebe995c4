package io.flowgate.analytics;

import io.flowgate.analytics.functions.EventSerializer;
import io.flowgate.analytics.records.EndpointLatencyRow;
import io.flowgate.analytics.records.ExperimentResultRow;
import io.flowgate.analytics.records.ExperimentScreenRow;
import io.flowgate.analytics.records.HotInventoryRow;
import io.flowgate.analytics.records.LeadScoreRow;
import io.flowgate.analytics.records.ScreenDropoffRow;
import io.flowgate.events.ExperimentGuardrailBreached;
import io.flowgate.analytics.records.ScreenPathRow;
import io.flowgate.analytics.records.ScreenTimeRow;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.LatencyAlert;
import io.flowgate.events.StaleSession;
import io.flowgate.events.Topics;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * Where the jobs write: nine PostgreSQL tables (idempotent upserts) and two Kafka topics. Tests build their
 * own record, or replace one sink (e.g. with one that fails once) with a {@code with…} method.
 * Kafka delivery is at-least-once: the events carry deterministic ids, and their consumers deduplicate
 * by id, which is cheaper than transactions that would hold every event back until a checkpoint.
 */
public record AnalyticsSinks(
        Sink<ScreenDropoffRow> screenDropoff,
        Sink<EndpointLatencyRow> endpointLatency,
        Sink<LeadScoreRow> leadScores,
        Sink<HotInventoryRow> hotInventory,
        Sink<StaleSession> staleSessions,
        Sink<StaleSession> staleSessionEvents,
        Sink<LatencyAlert> latencyAlerts,
        Sink<LatencyAlert> alertEvents,
        Sink<ExperimentResultRow> experimentResults,
        Sink<ExperimentScreenRow> experimentScreens,
        Sink<ExperimentGuardrailBreached> experimentStops,
        Sink<ExperimentGuardrailBreached> experimentAlertEvents,
        Sink<ScreenDropoffRow> screenDropoffByVersion,
        Sink<ScreenTimeRow> screenTime,
        Sink<ScreenPathRow> screenPaths) {

    public static AnalyticsSinks production(AnalyticsOptions options) {
        return new AnalyticsSinks(
                TableSinks.screenDropoff(options),
                TableSinks.endpointLatency(options),
                TableSinks.leadScores(options),
                TableSinks.hotInventory(options),
                TableSinks.staleSessions(options),
                kafka(options, Topics.STALE_SESSIONS),
                TableSinks.latencyAlerts(options),
                kafka(options, Topics.ALERTS),
                TableSinks.experimentResults(options),
                TableSinks.experimentScreens(options),
                TableSinks.experimentStops(options),
                kafka(options, Topics.ALERTS),
                TableSinks.screenDropoffByVersion(options),
                TableSinks.screenTime(options),
                TableSinks.screenPaths(options));
    }

    public AnalyticsSinks withLeadScores(Sink<LeadScoreRow> sink) {
        return new AnalyticsSinks(screenDropoff, endpointLatency, sink, hotInventory, staleSessions,
                staleSessionEvents, latencyAlerts, alertEvents, experimentResults, experimentScreens, experimentStops,
                experimentAlertEvents, screenDropoffByVersion, screenTime, screenPaths);
    }

    public AnalyticsSinks withStaleSessionEvents(Sink<StaleSession> sink) {
        return new AnalyticsSinks(screenDropoff, endpointLatency, leadScores, hotInventory, staleSessions,
                sink, latencyAlerts, alertEvents, experimentResults, experimentScreens, experimentStops,
                experimentAlertEvents, screenDropoffByVersion, screenTime, screenPaths);
    }

    public AnalyticsSinks withExperimentStops(Sink<ExperimentGuardrailBreached> sink) {
        return new AnalyticsSinks(screenDropoff, endpointLatency, leadScores, hotInventory, staleSessions,
                staleSessionEvents, latencyAlerts, alertEvents, experimentResults, experimentScreens, sink,
                experimentAlertEvents, screenDropoffByVersion, screenTime, screenPaths);
    }

    private static <T extends FlowgateEvent> Sink<T> kafka(AnalyticsOptions options, String topic) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(options.kafkaBootstrap())
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(EventSerializer.<T>key())
                        .setValueSerializationSchema(EventSerializer.<T>value())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
