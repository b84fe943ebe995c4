package io.flowgate.routing.outbox;

import io.flowgate.events.FlowgateEvent;

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
}
