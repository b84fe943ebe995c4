package io.flowgate.routing.outbox;

import io.flowgate.events.FlowgateEvent;

import java.util.Map;

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
     * Runs {@code change}, one {@code UPDATE}, {@code INSERT} or {@code DELETE} statement with named parameters
     * {@code changeParams} (none named {@code outbox_*}), and stores {@code event} for {@code topic} in the same
     * statement: one round trip where {@link #append} after the change makes two. The event is stored exactly when
     * the change touched a row. Must be called inside a transaction; throws {@link IllegalStateException}
     * otherwise.
     *
     * @return whether the change touched a row (and the event was stored)
     */
    boolean appendWith(String change, Map<String, ?> changeParams, String topic, FlowgateEvent event);
}
