package io.flowgate.events;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Kafka topics: their names are part of the product's interface (see PRODUCT.md), change them only
 * with a migration note; their settings ({@link #DEFINITIONS}) are the one description every creator
 * uses (routing-api, ingest-api, the embedded run), checked against existing topics at start.
 */
public final class Topics {
    public static final String TRANSITIONS = "flowgate.transitions";
    public static final String INBOUND = "flowgate.inbound";
    public static final String INBOUND_DEAD_LETTER = "flowgate.inbound.dead-letter";
    public static final String LEAD_UPDATES = "flowgate.lead-updates";
    public static final String STALE_SESSIONS = "flowgate.stale-sessions";
    public static final String ALERTS = "flowgate.alerts";
    public static final String META_HEALTH = "flowgate.meta-health";

    public static final List<String> ALL =
            List.of(TRANSITIONS, INBOUND, INBOUND_DEAD_LETTER, LEAD_UPDATES, STALE_SESSIONS, ALERTS, META_HEALTH);

    /** Partitions unless a creator's setting says otherwise ({@code FLOWGATE_KAFKA_TOPIC_PARTITIONS}, ...). */
    public static final int DEFAULT_PARTITIONS = 4;
    /** Three copies, two of which must hold a record before an {@code acks=all} write is acknowledged. */
    private static final int REPLICATION = 3;
    private static final int MIN_INSYNC = 2;
    /** Kafka's own default record batch limit (1 MiB plus the batch header): events written by routing-api and Flink. */
    private static final int EVENT_MAX_BYTES = 1_048_588;
    /**
     * A webhook body of up to ingest-api's default limit (3,584 KiB) plus 64 KiB for the event's own fields;
     * ingest-api raises it when its body limit is raised ({@link TopicDefinition#withMaxMessageBytesAtLeast}).
     */
    public static final int INBOUND_MAX_BYTES = (3584 + 64) * 1024;
    private static final Duration WEEK = Duration.ofDays(7);

    public static final List<TopicDefinition> DEFINITIONS = List.of(
            topic(TRANSITIONS, EVENT_MAX_BYTES, WEEK, "Flow transitions (outbox relay) and endpoint requests, from routing-api"),
            topic(INBOUND, INBOUND_MAX_BYTES, WEEK, "webhook updates from ingest-api; personal data, hence a week"),
            // longer than Meta's 7 days of retries, so a refused body can still be replayed after a fix
            topic(INBOUND_DEAD_LETTER, INBOUND_MAX_BYTES, Duration.ofDays(14), "signed webhook bodies ingest-api could not read"),
            topic(LEAD_UPDATES, EVENT_MAX_BYTES, WEEK, "lead state changes for CRM sync, from routing-api (outbox)"),
            topic(STALE_SESSIONS, EVENT_MAX_BYTES, WEEK, "sessions the Flink job found stale"),
            topic(ALERTS, EVENT_MAX_BYTES, WEEK, "latency alerts and experiment guardrail breaches from the Flink job; Meta's Flow alerts from routing-api (outbox)"),
            // one change of Meta's flows field, kept whole however large Meta makes it, like an inbound update
            topic(META_HEALTH, INBOUND_MAX_BYTES, WEEK, "Meta's Flow health and status webhooks (field flows) from ingest-api"));

    private static TopicDefinition topic(String name, int maxBytes, Duration retention, String purpose) {
        return new TopicDefinition(name, DEFAULT_PARTITIONS, REPLICATION, MIN_INSYNC, maxBytes, retention, "delete", purpose);
    }

    /** The definition of a Flowgate topic, if {@code name} is one. */
    public static Optional<TopicDefinition> definition(String name) {
        return DEFINITIONS.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** The definitions of the named Flowgate topics; a name that is not one is refused. */
    public static List<TopicDefinition> definitions(List<String> names) {
        return names.stream().map(n -> definition(n).orElseThrow(
                () -> new IllegalArgumentException(n + " is not a Flowgate topic"))).toList();
    }

    /** The table of {@link #DEFINITIONS} in docs/events.md; a test keeps the two equal. */
    public static String markdownTable() {
        String header = """
                | topic | partitions | replication | min.insync.replicas | max.message.bytes | retention | cleanup.policy | holds |
                |---|---|---|---|---|---|---|---|
                """;
        return header + DEFINITIONS.stream().map(d -> "| `%s` | %d | %d | %d | %d | %d days | %s | %s |".formatted(
                        d.name(), d.partitions(), d.replicationFactor(), d.minInsyncReplicas(), d.maxMessageBytes(),
                        d.retention().toDays(), d.cleanupPolicy(), d.purpose()))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private Topics() {
    }
}
