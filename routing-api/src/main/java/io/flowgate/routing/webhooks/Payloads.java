package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.LeadStateUpdated;

import java.util.Map;
import java.util.Set;

/**
 * The default webhook body, version {@value #SCHEMA_VERSION} (docs/webhooks.md, "Payload"). Answers the
 * machine does not declare as numbers or choices are free text and go out only to subscriptions with
 * {@code include_free_text}.
 */
final class Payloads {

    static final int SCHEMA_VERSION = 1;
    /** The members of the body and of its objects, which mapping pointers may name. */
    static final Map<String, Set<String>> MEMBERS = Map.of(
            "schema_version", Set.of(),
            "event_id", Set.of(),
            "type", Set.of(),
            "occurred_at", Set.of(),
            "sync_priority", Set.of(),
            "lead", Set.of("wa_id", "machine_id", "state", "status", "score", "answers"),
            "change", Set.of("from", "to"),
            "flow", Set.of("flow_id", "session_id", "completed", "handover"));

    private Payloads() {
    }

    /**
     * @param machineId  the lead's machine (null when unknown)
     * @param structured the fields of that machine that are not free text
     */
    static ObjectNode body(ObjectMapper json, WebhookEvent event, String type, String machineId, Set<String> structured,
                           boolean includeFreeText) {
        ObjectNode body = json.createObjectNode();
        body.put("schema_version", SCHEMA_VERSION);
        body.put("event_id", event.eventId());
        body.put("type", type);
        body.put("occurred_at", event.occurredAt().toString());
        ObjectNode lead = body.putObject("lead");
        lead.put("wa_id", event.leadKey());
        ObjectNode change = json.createObjectNode();
        if (event.isLeadEvent()) {
            LeadStateUpdated.Data d = event.leadUpdate().data();
            lead.put("machine_id", machineId);
            lead.put("state", d.currentState());
            lead.put("status", d.status());
            lead.put("score", d.score());
            change.put("from", d.previousState());
            change.put("to", d.currentState());
            body.put("sync_priority", d.syncPriority());
        } else {
            FlowTransition t = event.transition();
            ObjectNode flow = body.putObject("flow");
            flow.put("flow_id", t.flowId());
            flow.put("session_id", t.sessionId());
            flow.put("completed", t.completed());
            flow.put("handover", t.handover());
            change.put("from", t.fromScreen());
            change.put("to", t.toScreen());
        }
        ObjectNode answers = lead.putObject("answers");
        // a Flow transition carries only analytics fields, which are never free text
        event.answers().forEach((field, value) -> {
            if (includeFreeText || !event.isLeadEvent() || structured.contains(field)) {
                answers.set(field, json.valueToTree(value));
            }
        });
        body.set("change", change);
        return body;
    }
}
