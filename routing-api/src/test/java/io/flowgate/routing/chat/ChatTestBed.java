package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.events.EventJson;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.events.StaleSession;
import io.flowgate.events.Topics;
import io.flowgate.routing.support.KafkaTestBed;
import io.flowgate.testkit.TopicReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * What the chat tests run against: the {@link KafkaTestBed} (a broker, a routing-api on its own database, a
 * producer that writes {@code flowgate.inbound} the way ingest-api does: EventJson, keyed by user,
 * acks=all), readers of {@code flowgate.lead-updates} and {@code flowgate.transitions} from
 * their beginning, and queries of what was queued in {@code outgoing_messages} (sending it is the sender's
 * business) and of the chat tables.
 */
public final class ChatTestBed extends KafkaTestBed {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String GROUP = "flowgate-routing-chat";

    private final TopicReader leadUpdates;
    private final TopicReader transitions;

    private ChatTestBed(Map<String, Object> properties) {
        super(properties);
        this.leadUpdates = TopicReader.fromBeginning(broker().bootstrapServers(), Topics.LEAD_UPDATES);
        this.transitions = TopicReader.fromBeginning(broker().bootstrapServers(), Topics.TRANSITIONS);
    }

    /** A broker and a routing-api (which creates the topics, 4 partitions each) with extra settings. */
    public static ChatTestBed start(Map<String, Object> properties) {
        ChatTestBed bed = new ChatTestBed(properties);
        bed.awaitTopic(Topics.INBOUND);
        return bed;
    }

    public static ChatTestBed start() {
        return start(Map.of());
    }

    /** Updates go to flowgate.inbound as ingest-api writes them; stale sessions and Meta's Flow signals to their topics. */
    @Override
    protected String topicOf(FlowgateEvent e) {
        return e instanceof StaleSession ? Topics.STALE_SESSIONS : e instanceof MetaFlowSignal ? Topics.META_HEALTH : Topics.INBOUND;
    }

    /** Waits until the chat consumer committed its recorded outcome for {@code eventId}; returns the outcome. */
    String awaitOutcome(String eventId) {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50)).until(() -> outcome(eventId).isPresent());
        return outcome(eventId).orElseThrow();
    }

    Optional<String> outcome(String eventId) {
        return jdbc().sql("SELECT outcome FROM processed_messages WHERE event_id = ?").param(eventId).query(String.class).optional();
    }

    /** Waits until consumer group {@code group} has consumed everything on flowgate.inbound and flowgate.stale-sessions. */
    void awaitConsumed(String group) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (String topic : List.of(Topics.INBOUND, Topics.STALE_SESSIONS)) {
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                            .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                }
                var ends = admin.listOffsets(latest).all().get();
                return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                        || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset()));
            });
        }
    }

    /** The message bodies queued for {@code to}, oldest first. */
    List<JsonNode> outgoing(String to) {
        return jdbc().sql("SELECT payload::text FROM outgoing_messages WHERE wa_id = ? ORDER BY message_id").param(to)
                .query(String.class).list().stream().map(ChatTestBed::parse).toList();
    }

    /** Waits until {@code count} messages are queued for {@code to}; returns them. */
    List<JsonNode> awaitOutgoing(String to, int count) {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50)).until(() -> outgoing(to).size() >= count);
        return outgoing(to);
    }

    /** The lead row of a user, columns by name (lead_data as JSON). */
    Map<String, Object> lead(String waId) {
        return jdbc().sql("SELECT *, lead_data::text AS data FROM lead_qualifications WHERE wa_id = ?").param(waId)
                .query().singleRow();
    }

    JsonNode leadData(String waId) {
        return parse((String) lead(waId).get("data"));
    }

    long count(String table, String column, String value) {
        return jdbc().sql("SELECT count(*) FROM " + table + " WHERE " + column + " = ?").param(value).query(Long.class).single();
    }

    /** The lead_state_updated events of a user read so far, in order. */
    List<JsonNode> leadUpdates(String waId) {
        return leadUpdates.received().stream().filter(r -> waId.equals(r.key())).map(r -> parse(r.value())).toList();
    }

    /** The chat transition events of a user read so far, in order. */
    List<JsonNode> transitions(String userId) {
        return transitions.received().stream().map(r -> parse(r.value()))
                .filter(e -> "flow_transition".equals(e.path("type").asText()) && userId.equals(e.path("user_id").asText()))
                .toList();
    }

    /** Waits until the user's events include {@code leadUpdates} lead updates and {@code transitions} transitions. */
    void awaitEvents(String waId, int leadUpdateCount, int transitionCount) {
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .until(() -> leadUpdates(waId).size() >= leadUpdateCount && transitions(waId).size() >= transitionCount);
    }

    /** How often each event id of the user's events was read. */
    Map<String, Long> eventIdCounts(String waId) {
        return Stream.concat(leadUpdates(waId).stream(), transitions(waId).stream())
                .collect(Collectors.groupingBy(e -> e.path("event_id").asText(), Collectors.counting()));
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Also checks every event routing-api published while the bed ran against its JSON Schema. */
    @Override
    public void close() {
        List<String> violations = new ArrayList<>(leadUpdates.violations(EventSchemas::violations));
        violations.addAll(transitions.violations(EventSchemas::violations));
        leadUpdates.close();
        transitions.close();
        super.close();
        if (!violations.isEmpty()) {
            throw new AssertionError("events published that do not match their JSON Schema (docs/events.md): " + violations);
        }
    }
}
