package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Topics;
import io.flowgate.routing.outbox.Outbox;
import io.flowgate.routing.sessions.FlowSession;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Writes a {@code flow_transition} event for every transition into the outbox, in the transaction
 * that records the transition: the event exists exactly when the session change was committed. A session
 * in a routing experiment tags it with its experiment and variant.
 */
@Component
class TransitionEvents implements TransitionListener {

    private final Outbox outbox;
    private final EventsProperties properties;

    TransitionEvents(Outbox outbox, EventsProperties properties) {
        this.outbox = outbox;
        this.properties = properties;
    }

    @Override
    public void transitioned(FlowSession after, FlowRequest request, StepOutcome outcome, Instant at) {
        outbox.append(Topics.TRANSITIONS, new FlowTransition(
                UUID.randomUUID().toString(),
                at,
                after.flowId(),
                after.sessionId().toString(),
                after.waId(),
                after.createdAt(),
                outcome.fromScreen() == null ? "" : outcome.fromScreen(),
                outcome.toScreen(),
                request.action(),
                analyticsFields(request),
                outcome.completed(),
                outcome.handover(),
                FlowTransition.SOURCE_FLOW,
                after.flowVersion(),
                after.experimentId(),
                after.variant()));
    }

    private Map<String, String> analyticsFields(FlowRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : properties.analyticsFields()) {
            JsonNode v = request.data().get(name);
            if (v != null && v.isValueNode() && !v.isNull()) {
                String text = v.asText();
                fields.put(name, text.length() > EventsProperties.MAX_VALUE_LENGTH
                        ? text.substring(0, EventsProperties.MAX_VALUE_LENGTH) : text);
            }
        }
        return fields;
    }
}
