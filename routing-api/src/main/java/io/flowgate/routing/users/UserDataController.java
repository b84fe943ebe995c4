package io.flowgate.routing.users;

import io.flowgate.routing.chat.Lead;
import io.flowgate.routing.chat.LeadRepository;

import io.flowgate.routing.system.ApiException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Admin API about one chat user: where their lead qualification stands ({@code GET /api/leads/{wa_id}}),
 * and the deletion of their data on request ({@code DELETE /api/users/{wa_id}}), by phone number or
 * business-scoped user id.
 */
@RestController
class UserDataController {

    /** A phone number in international digits, or a business-scoped user id such as {@code US.1349...}. */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{3,64}");

    private final LeadRepository leads;
    private final UserDataDeletion deletion;

    UserDataController(LeadRepository leads, UserDataDeletion deletion) {
        this.leads = leads;
        this.deletion = deletion;
    }

    @GetMapping(path = "/api/leads/{waId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> lead(@PathVariable String waId) {
        checkUser(waId);
        Lead lead = leads.find(waId).orElseThrow(() -> ApiException.notFound("no lead for this user"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("wa_id", lead.waId());
        out.put("machine_id", lead.machineId());
        out.put("session_id", lead.sessionId().toString());
        out.put("current_state", lead.currentState());
        out.put("previous_state", lead.previousState());
        out.put("status", lead.status());
        out.put("qualification_score", lead.score());
        out.put("lead_data", lead.data());
        out.put("retries", lead.retries());
        out.put("last_message_at", lead.lastMessageAt() == null ? null : lead.lastMessageAt().toString());
        out.put("last_interaction", lead.lastInteraction().toString());
        out.put("re_engaged_at", lead.reEngagedAt() == null ? null : lead.reEngagedAt().toString());
        out.put("experiment_id", lead.experimentId());
        out.put("variant", lead.variant());
        return out;
    }

    @DeleteMapping(path = "/api/users/{waId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> delete(@PathVariable String waId) {
        checkUser(waId);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("wa_id", waId);
        out.put("deleted", deletion.delete(waId));
        return out;
    }

    private static void checkUser(String waId) {
        if (!USER.matcher(waId).matches()) {
            throw ApiException.badRequest("the user: a WhatsApp id (digits) or a business-scoped user id");
        }
    }
}
