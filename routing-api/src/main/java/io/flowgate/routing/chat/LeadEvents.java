package io.flowgate.routing.chat;

import io.flowgate.routing.chat.machine.ChatMachine;

import io.flowgate.events.FlowTransition;
import io.flowgate.events.LeadStateUpdated;
import io.flowgate.events.Topics;
import io.flowgate.routing.outbox.Outbox;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the events of a lead's change into the outbox, in the transaction that makes the change:
 * {@code lead_state_updated} on {@link Topics#LEAD_UPDATES} for CRM sync whenever its state, status, score
 * or data changed, and a chat {@code flow_transition} on {@link Topics#TRANSITIONS} whenever it entered a
 * state, so that chat funnels get the same drop-off analytics as Flows. Transition events carry only the
 * machine's analytics fields (numbers and choices), never free text, and the experiment and variant of the
 * lead's conversation, if it is in one (so the analytics job's experiment tables count chat experiments).
 */
@Component
class LeadEvents {

    static final int MAX_FIELD_LENGTH = 64;
    private static final String ACTION = "chat_message";

    private final Outbox outbox;

    LeadEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * The events of one change.
     *
     * @param before  the lead before (null for a new one)
     * @param entered whether the lead (re)entered a state
     * @param cause   what caused the change (the inbound event id, or a generated one): the events' ids derive
     *                from it, so the change has the same event ids however often it is examined
     */
    void changed(Lead before, Lead after, ChatMachine machine, boolean entered, String cause, Instant at) {
        if (after.differsFrom(before)) {
            outbox.append(Topics.LEAD_UPDATES, leadUpdate(before, after, "lead:" + cause, at));
        }
        if (entered) {
            boolean newSession = before == null || !before.sessionId().equals(after.sessionId());
            outbox.append(Topics.TRANSITIONS, new FlowTransition(
                    "chat:" + cause,
                    at,
                    machine.id(),
                    after.sessionId().toString(),
                    after.waId(),
                    after.sessionStartedAt(),
                    newSession ? "" : before.currentState(),
                    after.currentState(),
                    ACTION,
                    analyticsFields(machine, after),
                    Lead.COMPLETED.equals(after.status()),
                    Lead.ESCALATED.equals(after.status()),
                    FlowTransition.SOURCE_CHAT).withExperiment(after.experimentId(), after.variant()));
        }
    }

    private static LeadStateUpdated leadUpdate(Lead before, Lead after, String eventId, Instant at) {
        boolean high = Lead.COMPLETED.equals(after.status()) || Lead.ESCALATED.equals(after.status());
        return new LeadStateUpdated(eventId, at, new LeadStateUpdated.Data(
                after.waId(),
                before == null ? "" : before.currentState(),
                after.currentState(),
                after.score(),
                after.data(),
                high ? "high" : "normal",
                after.status(),
                after.experimentId(),
                after.variant()));
    }

    private static Map<String, String> analyticsFields(ChatMachine machine, Lead lead) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : machine.analyticsFields()) {
            Object v = lead.data().get(name);
            if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                String text = String.valueOf(v);
                fields.put(name, text.length() > MAX_FIELD_LENGTH ? text.substring(0, MAX_FIELD_LENGTH) : text);
            }
        }
        return fields;
    }
}
