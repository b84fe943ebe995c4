package io.flowgate.routing.outbox;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementSetter;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.HashMap;
import java.util.Map;
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
    private final JdbcTemplate plain;
    private final RelayWakeup wakeup;

    JdbcOutbox(JdbcClient jdbc, JdbcTemplate plain, RelayWakeup wakeup) {
        this.jdbc = jdbc;
        this.plain = plain;
        this.wakeup = wakeup;
    }

    @Override
    public void append(String topic, FlowgateEvent event) {
        check(topic, event);
        jdbc.sql("INSERT INTO outbox (event_id, topic, record_key, payload) VALUES (:outbox_id, :outbox_topic, :outbox_key, "
                        + "CAST(:outbox_payload AS json))")
                .params(row(topic, event))
                .update();
        wakeup.afterCommit();
    }

    @Override
    public boolean appendWith(String change, int parameters, PreparedStatementSetter binder, String topic, FlowgateEvent event) {
        check(topic, event);
        Objects.requireNonNull(change, "change");
        if (change.chars().filter(c -> c == '?').count() != parameters) {
            throw new IllegalArgumentException("the change must have exactly " + parameters + " ? parameters and no other ?");
        }
        String payload = EventJson.toJson(event);
        // a data-modifying CTE runs exactly once whether or not it is read; reading it ties the event to the change
        boolean stored = plain.update("WITH change AS (" + change + " RETURNING 1) "
                + "INSERT INTO outbox (event_id, topic, record_key, payload) "
                + "SELECT ?, ?, ?, CAST(? AS json) "
                + "WHERE EXISTS (SELECT FROM change)", ps -> {
                    binder.setValues(ps);
                    ps.setString(parameters + 1, event.eventId());
                    ps.setString(parameters + 2, topic);
                    ps.setString(parameters + 3, event.key());
                    ps.setString(parameters + 4, payload);
                }) > 0;
        if (stored) {
            wakeup.afterCommit();
        }
        return stored;
    }

    private static void check(String topic, FlowgateEvent event) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(event.eventId(), "event id");
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Outbox.append must run inside the transaction of the change it describes");
        }
    }

    /** The outbox row's parameters; the event serialised once, here. */
    private static Map<String, Object> row(String topic, FlowgateEvent event) {
        Map<String, Object> row = new HashMap<>(8);
        row.put("outbox_id", event.eventId());
        row.put("outbox_topic", topic);
        row.put("outbox_key", event.key());
        row.put("outbox_payload", EventJson.toJson(event));
        return row;
    }
}
