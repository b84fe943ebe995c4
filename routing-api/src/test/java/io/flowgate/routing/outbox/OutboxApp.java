package io.flowgate.routing.outbox;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Topics;
import io.flowgate.routing.kafka.KafkaStatus;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.testkit.TopicReader;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real routing-api (its own database, a real Kafka bootstrap address) plus what the outbox tests do
 * with it: commit a business row and the transition event describing it in one transaction, the way the
 * Flow endpoint does, and look at the outbox table and the metrics.
 */
final class OutboxApp implements AutoCloseable {

    static final String FLOW = "outbox-flow";

    private final RoutingApiInstance instance;
    private final String bootstrapServers;
    private final TransactionTemplate tx;
    private final JdbcClient jdbc;
    private final Outbox outbox;

    private OutboxApp(RoutingApiInstance instance, String bootstrapServers) {
        this.instance = instance;
        this.bootstrapServers = bootstrapServers;
        this.tx = bean(TransactionTemplate.class);
        this.jdbc = bean(JdbcClient.class);
        this.outbox = bean(Outbox.class);
        jdbc.sql("CREATE TABLE IF NOT EXISTS test_steps (event_id text PRIMARY KEY, session_id text NOT NULL, step int NOT NULL)").update();
    }

    /** A new instance on a new database. */
    static OutboxApp start(String bootstrapServers) {
        return start(bootstrapServers, null);
    }

    /** A new instance on {@code dbUrl} (null: a new database). */
    static OutboxApp start(String bootstrapServers, String dbUrl) {
        return start(bootstrapServers, dbUrl, Map.of());
    }

    /** A new instance on {@code dbUrl} (null: a new database) with extra settings. */
    static OutboxApp start(String bootstrapServers, String dbUrl, Map<String, Object> properties) {
        RoutingApiInstance.Builder builder = RoutingApiInstance.builder()
                .property("flowgate.kafka.bootstrap-servers", bootstrapServers)
                .property("flowgate.kafka.relay-poll-interval", "200ms");
        properties.forEach(builder::property);
        if (dbUrl != null) {
            builder.database(dbUrl);
        }
        return new OutboxApp(builder.start(), bootstrapServers);
    }

    /** Another instance on the same database: a second replica, or the restart of this one. */
    OutboxApp sibling() {
        return start(bootstrapServers, instance.dbUrl());
    }

    static FlowTransition step(String session, int step) {
        return new FlowTransition(UUID.randomUUID().toString(), Instant.now(), FLOW, session, "user-" + session,
                Instant.now(), step == 0 ? "" : "S" + (step - 1), "S" + step, "data_exchange",
                Map.of("step", Integer.toString(step)), false, false, FlowTransition.SOURCE_FLOW);
    }

    /** The step number of a transition read from Kafka. */
    static int stepOf(TopicReader.Received record) {
        FlowTransition t = (FlowTransition) EventJson.fromJson(record.value());
        return Integer.parseInt(t.fields().get("step"));
    }

    /** Commits one business row and its event in one transaction. */
    FlowTransition commitStep(String session, int step) {
        return commitSteps(session, step, 1).get(0);
    }

    /** Commits {@code count} steps of one session, each a business row and its event, in one transaction. */
    List<FlowTransition> commitSteps(String session, int firstStep, int count) {
        List<FlowTransition> events = new ArrayList<>();
        tx.executeWithoutResult(status -> {
            for (int i = 0; i < count; i++) {
                events.add(write(step(session, firstStep + i)));
            }
        });
        return events;
    }

    /** Writes a business row and its event, then rolls the transaction back. */
    FlowTransition rollBackStep(String session, int step) {
        FlowTransition event = step(session, step);
        tx.executeWithoutResult(status -> {
            write(event);
            status.setRollbackOnly();
        });
        return event;
    }

    /** Appends {@code event} in a transaction of its own (with its business row). */
    void commit(FlowTransition event) {
        tx.executeWithoutResult(status -> write(event));
    }

    private FlowTransition write(FlowTransition event) {
        jdbc.sql("INSERT INTO test_steps (event_id, session_id, step) VALUES (?, ?, ?)")
                .params(event.eventId(), event.sessionId(), Integer.parseInt(event.fields().getOrDefault("step", "0")))
                .update();
        outbox.append(Topics.TRANSITIONS, event);
        return event;
    }

    long outboxRows() {
        return jdbc.sql("SELECT count(*) FROM outbox").query(Long.class).single();
    }

    long businessRows(String eventId) {
        return jdbc.sql("SELECT count(*) FROM test_steps WHERE event_id = ?").param(eventId).query(Long.class).single();
    }

    JdbcClient jdbc() {
        return jdbc;
    }

    <T> T bean(Class<T> type) {
        return instance.context().getBean(type);
    }

    double gauge(String name) {
        return bean(MeterRegistry.class).get(name).gauge().value();
    }

    double counter(String name, String... tags) {
        return bean(MeterRegistry.class).get(name).tags(tags).counter().count();
    }

    void awaitKafkaAvailable() {
        await().atMost(30, TimeUnit.SECONDS).until(() -> bean(KafkaStatus.class).isAvailable());
    }

    RoutingApiInstance instance() {
        return instance;
    }

    String get(String path) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(instance.uri(path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("GET " + path + " failed", e);
        }
    }

    @Override
    public void close() {
        instance.close();
    }
}
