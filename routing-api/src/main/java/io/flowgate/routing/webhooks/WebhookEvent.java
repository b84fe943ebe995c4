package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.LeadStateUpdated;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A committed event as webhooks see it: its id, the webhook event types it is (most specific first), the
 * lead it belongs to (deliveries of one lead keep their order) and what the filters look at.
 *
 * <ul>
 *   <li>{@code lead_state_updated}: always {@code lead.updated}; also {@code lead.qualified} when the lead
 *       entered a state that completed it, {@code lead.handover} when it was handed to a human, and
 *       {@code lead.cold} when it went cold.</li>
 *   <li>{@code flow_transition} of a Flow (not of a chat, whose changes arrive as lead updates):
 *       {@code flow.completed} when the Flow completed, {@code lead.handover} when it handed over.</li>
 * </ul>
 */
record WebhookEvent(String eventId, List<String> types, String leadKey, Instant occurredAt, String flowId,
                    LeadStateUpdated leadUpdate, FlowTransition transition) {

    static final String LEAD_UPDATED = "lead.updated";
    static final String LEAD_QUALIFIED = "lead.qualified";
    static final String LEAD_COLD = "lead.cold";
    static final String LEAD_HANDOVER = "lead.handover";
    static final String FLOW_COMPLETED = "flow.completed";
    /** Every type, in the order the most specific one of an event is chosen. */
    static final List<String> TYPES = List.of(LEAD_QUALIFIED, LEAD_HANDOVER, LEAD_COLD, FLOW_COMPLETED, LEAD_UPDATED);

    /** The event types {@link #of} never turns into a webhook event: every known type but the two it reads. */
    private static final Set<String> IGNORED_TYPES = Arrays.stream(FlowgateEvent.class.getAnnotation(JsonSubTypes.class).value())
            .map(JsonSubTypes.Type::name)
            .filter(name -> !name.equals(LeadStateUpdated.TYPE) && !name.equals(FlowTransition.TYPE))
            .collect(Collectors.toUnmodifiableSet());
    private static final JsonFactory JSON = EventJson.mapper().getFactory();

    WebhookEvent {
        types = List.copyOf(types);
    }

    /**
     * Whether the event in {@code json} may be one {@link #of} turns into a webhook event, decided from its
     * top-level {@code type}, {@code completed} and {@code handover} with a streaming read that builds no
     * objects (nested values are skipped), in any field order and spacing (the outbox relay sends PostgreSQL's
     * text of the row). Most records of {@code flowgate.transitions} are endpoint requests and steps that
     * neither complete nor hand over, which webhooks never use. False only when certain: a known type other
     * than {@code lead_state_updated} and {@code flow_transition}, or a {@code flow_transition} whose
     * {@code completed} and {@code handover} are both false, null or absent; anything else (unreadable JSON,
     * an unknown or missing type, unexpected values) is true, and the full parse decides as before.
     */
    static boolean mayApply(byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return true;
            }
            String type = null;
            boolean mayBeDone = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> {
                        if (value != JsonToken.VALUE_STRING || type != null) {
                            return true;
                        }
                        type = p.getText();
                    }
                    case "completed", "handover" -> mayBeDone |= value != JsonToken.VALUE_FALSE && value != JsonToken.VALUE_NULL;
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || type == null) {
                return true;
            }
            return FlowTransition.TYPE.equals(type) ? mayBeDone : !IGNORED_TYPES.contains(type);
        } catch (IOException unreadable) {
            return true; // the full parse reports it
        }
    }

    /** The webhook view of {@code event}, or empty when no webhook type applies to it. */
    static Optional<WebhookEvent> of(FlowgateEvent event) {
        if (event instanceof LeadStateUpdated update && update.data() != null && update.data().waId() != null) {
            LeadStateUpdated.Data d = update.data();
            boolean entered = !java.util.Objects.equals(d.previousState(), d.currentState());
            List<String> types = new ArrayList<>();
            if ("completed".equals(d.status()) && entered) {
                types.add(LEAD_QUALIFIED);
            }
            if ("escalated".equals(d.status()) && entered) {
                types.add(LEAD_HANDOVER);
            }
            if ("cold".equals(d.status())) {
                types.add(LEAD_COLD);
            }
            types.add(LEAD_UPDATED);
            return Optional.of(new WebhookEvent(update.eventId(), types, d.waId(), update.eventTime(), null, update, null));
        }
        if (event instanceof FlowTransition t && FlowTransition.SOURCE_FLOW.equals(t.source()) && t.userId() != null
                && (t.completed() || t.handover())) {
            List<String> types = new ArrayList<>();
            if (t.completed()) {
                types.add(FLOW_COMPLETED);
            }
            if (t.handover()) {
                types.add(LEAD_HANDOVER);
            }
            return Optional.of(new WebhookEvent(t.eventId(), types, t.userId(), t.eventTime(), t.flowId(), null, t));
        }
        return Optional.empty();
    }

    boolean isLeadEvent() {
        return leadUpdate != null;
    }

    /** The type a subscription wanting {@code wanted} gets this event as, or empty when it does not want it. */
    Optional<String> typeFor(List<String> wanted) {
        return types.stream().filter(wanted::contains).findFirst();
    }

    Map<String, Object> answers() {
        return isLeadEvent() ? leadUpdate.data().leadMetadata() : Map.copyOf(transition.fields());
    }
}
