package io.flowgate.routing.flowendpoint;

import io.flowgate.events.EndpointRequest;
import io.flowgate.events.Topics;
import io.flowgate.routing.kafka.EventPublisher;
import io.flowgate.routing.system.ControlCharacters;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.UUID;

/**
 * Publishes an {@code endpoint_request} event for every answered Flow endpoint request, pings and
 * errors included, straight to Kafka after the answer was written: never on the answer's critical path.
 * Screen and action are the caller's text, so they go out in a form the analytics tables can store.
 * A request of a session in a routing experiment is tagged with its experiment and variant.
 */
@Component
class EndpointEvents implements EndpointListener {

    private static final int MAX_SCREEN_LENGTH = 100;

    private final EventPublisher publisher;

    EndpointEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void answered(EndpointAnswer answer, long latencyMicros) {
        String screen = answer.screen().length() > MAX_SCREEN_LENGTH ? answer.screen().substring(0, MAX_SCREEN_LENGTH) : answer.screen();
        StepOutcome step = answer.step();
        publisher.publish(Topics.TRANSITIONS, new EndpointRequest(
                UUID.randomUUID().toString(),
                Instant.now(),
                answer.flowId(),
                answer.sessionId() == null ? null : answer.sessionId().toString(),
                ControlCharacters.storable(screen),
                ControlCharacters.storable(answer.action()),
                answer.status(),
                answer.outcome(),
                latencyMicros,
                step == null ? null : step.flowVersion(),
                step == null ? null : step.experimentId(),
                step == null ? null : step.variant()));
    }
}
