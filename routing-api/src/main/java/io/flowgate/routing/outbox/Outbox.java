package io.flowgate.routing.outbox;

import io.flowgate.events.FlowgateEvent;
import org.springframework.jdbc.core.PreparedStatementSetter;

/**
 * The transactional outbox: an event appended here is stored in the caller's database transaction,
 * so it exists exactly when the business change it describes was committed, and a relay publishes it
 * to Kafka afterwards (committed means published, even across a crash or a Kafka outage).
 */
public interface Outbox {

    /**
     * Stores {@code event} for publication to {@code topic}, keyed by {@link FlowgateEvent#key()}.
     * Must be called inside a transaction; throws {@link IllegalStateException} otherwise.
     */
    void append(String topic, FlowgateEvent event);

    /**
     * Runs {@code change}, one {@code UPDATE}, {@code INSERT} or {@code DELETE} statement with {@code parameters}
     * {@code ?} parameters (and no other {@code ?}), bound by {@code binder} at positions 1 to {@code parameters},
     * and stores {@code event} for {@code topic} in the same statement: one round trip where {@link #append} after
     * the change makes two. Spring's {@code JdbcTemplate} with {@code ?} parameters on the transaction's connection, no named-parameter parsing (the Flow endpoint's hot path, issue 12).
     * The event is stored exactly when the change touched a row. Must be called inside a transaction; throws
     * {@link IllegalStateException} otherwise.
     *
     * @return whether the change touched a row (and the event was stored)
     */
    boolean appendWith(String change, int parameters, PreparedStatementSetter binder, String topic, FlowgateEvent event);
}
