package io.flowgate.routing.whatsapp;

import io.flowgate.meta.Masked;
import io.flowgate.routing.system.ApiException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/outgoing-messages?status=failed&limit=100}: what ops look at when replies do not arrive,
 * the failed messages with Meta's error, or the queue in the order it will be sent. Behind the admin
 * bearer token like all of {@code /api/**}; recipients are masked and message bodies left out, since
 * both are the users' personal data.
 */
@RestController
class OutgoingMessagesAdminController {

    static final int MAX_LIMIT = 1_000;
    private static final Set<String> STATUSES = Set.of("queued", "sent", "failed");

    private final OutgoingQueue queue;

    OutgoingMessagesAdminController(OutgoingQueue queue) {
        this.queue = queue;
    }

    @GetMapping(path = "/api/outgoing-messages", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list(@RequestParam(defaultValue = "failed") String status,
                             @RequestParam(defaultValue = "100") int limit) {
        if (!STATUSES.contains(status)) {
            throw ApiException.badRequest("status: one of queued, sent, failed");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit: 1 to " + MAX_LIMIT);
        }
        List<Map<String, Object>> messages = queue.list(status, limit).stream().map(OutgoingMessagesAdminController::row).toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", status);
        answer.put("messages", messages);
        return answer;
    }

    private static Map<String, Object> row(OutgoingQueue.Listed m) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("message_id", m.messageId());
        row.put("wa_id", Masked.id(m.waId()));
        row.put("type", m.type());
        row.put("correlation", m.correlation());
        row.put("status", m.status());
        row.put("attempts", m.attempts());
        row.put("created_at", m.createdAt());
        row.put("not_before", m.notBefore());
        row.put("sent_at", m.sentAt());
        row.put("wamid", m.wamid());
        row.put("last_error", m.lastError());
        row.put("last_error_code", m.lastErrorCode());
        return row;
    }
}
