package io.flowgate.routing.outbox;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.Objects;

/**
 * The outbox as a row in {@code outbox}, written with the caller's connection so that it commits or rolls
 * back with the business change it describes (debezium-examples' outbox pattern, with our own relay
 * instead of change data capture). Refuses to run outside a transaction: an event written on its own
 * could be published for a change that never committed.
 */
@Component
class JdbcOutbox implements Outbox {

    private final JdbcClient jdbc;
    private final RelayWakeup wakeup;

    JdbcOutbox(JdbcClient jdbc, RelayWakeup wakeup) {
        this.jdbc = jdbc;
        this.wakeup = wakeup;
    }

    @Override
    public void append(String topic, FlowgateEvent event) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(event.eventId(), "event id");
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Outbox.append must run inside the transaction of the change it describes");
        }
        jdbc.sql("INSERT INTO outbox (event_id, topic, record_key, payload) VALUES (:id, :topic, :key, CAST(:payload AS json))")
                .param("id", event.eventId())
                .param("topic", topic)
                .param("key", event.key())
                .param("payload", EventJson.toJson(event))
                .update();
        wakeup.afterCommit();
    }
}
