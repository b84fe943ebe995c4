package io.flowgate.routing.kafka;

import io.flowgate.events.FlowgateEvent;

/**
 * Publishes an event straight to Kafka, without the outbox, for events whose loss is tolerable and
 * which must never slow the caller down (one endpoint-request event per Flow request). Never blocks
 * and never throws: when Kafka is unreachable or the buffer is full the event is dropped and counted.
 */
public interface EventPublisher {

    void publish(String topic, FlowgateEvent event);
}
