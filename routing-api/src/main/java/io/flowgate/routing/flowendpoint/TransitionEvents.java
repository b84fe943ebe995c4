package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.FlowTransition;
import io.flowgate.routing.sessions.FlowSession;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code flow_transition} event of every transition, which {@link FlowSteps} stores in the outbox with the
 * session change, in one statement of the transaction that records the transition: the event exists exactly
 * when the session change was committed. A session in a routing experiment tags it with its experiment and
 * variant.
 */
@Component
class TransitionEvents {

    private final EventsProperties properties;

    TransitionEvents(EventsProperties properties) {
        this.properties = properties;
    }

    /** The event of the transition to {@code after}. */
    FlowTransition event(FlowSession after, FlowRequest request, StepOutcome outcome, Instant at) {
        return new FlowTransition(
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
                after.variant());
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
