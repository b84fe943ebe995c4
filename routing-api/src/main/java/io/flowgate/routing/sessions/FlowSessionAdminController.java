package io.flowgate.routing.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.experiments.ExperimentAssigner;
import io.flowgate.routing.flows.FlowRegistry;
import io.flowgate.routing.system.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Mints flow tokens: {@code POST /api/flow-sessions {wa_id, flow_id, data?, ttl_seconds?}} creates a
 * session bound to the user and an uploaded Flow and answers {@code {flow_token, session_id, expires_at}}.
 * The business puts the token in the Flow message it sends. {@code GET /api/flow-sessions/{id}} shows a
 * session's state for operators.
 */
@RestController
class FlowSessionAdminController {

    private static final Logger log = LoggerFactory.getLogger(FlowSessionAdminController.class);
    /** A phone number in international digits, or a business-scoped user id such as {@code US.1349...}. */
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{3,64}");
    private static final int MAX_INITIAL_DATA_CHARS = 64 * 1024;
    private static final Duration MAX_TTL = Duration.ofDays(30);

    private final FlowSessionRepository sessions;
    private final FlowRegistry flows;
    private final SessionsProperties properties;
    private final Clock clock;
    private final ExperimentAssigner assigner;

    FlowSessionAdminController(FlowSessionRepository sessions, FlowRegistry flows, SessionsProperties properties, Clock clock,
                               ExperimentAssigner assigner) {
        this.assigner = assigner;
        this.sessions = sessions;
        this.flows = flows;
        this.properties = properties;
        this.clock = clock;
    }

    @PostMapping(path = "/api/flow-sessions", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> mint(@RequestBody JsonNode body) {
        List<String> problems = new ArrayList<>();
        String waId = body.path("wa_id").isTextual() ? body.get("wa_id").asText() : null;
        String flowId = body.path("flow_id").isTextual() ? body.get("flow_id").asText() : null;
        if (waId == null || !USER.matcher(waId).matches()) {
            problems.add("wa_id: required, the user's WhatsApp id (digits) or business-scoped user id");
        }
        if (flowId == null || flowId.isBlank()) {
            problems.add("flow_id: required");
        } else if (flows.find(flowId).isEmpty()) {
            problems.add("flow_id: no Flow " + flowId + " is uploaded (PUT /api/flows/" + flowId + " first)");
        }
        JsonNode data = body.get("data");
        if (data != null && !data.isNull() && (!data.isObject() || data.toString().length() > MAX_INITIAL_DATA_CHARS)) {
            problems.add("data: optional, an object of at most " + MAX_INITIAL_DATA_CHARS + " characters");
        }
        Duration ttl = properties.tokenTtl();
        JsonNode ttlSeconds = body.get("ttl_seconds");
        if (ttlSeconds != null && !ttlSeconds.isNull()) {
            if (!ttlSeconds.canConvertToLong() || ttlSeconds.asLong() <= 0 || ttlSeconds.asLong() > MAX_TTL.toSeconds()) {
                problems.add("ttl_seconds: optional, 1 to " + MAX_TTL.toSeconds());
            } else {
                ttl = Duration.ofSeconds(ttlSeconds.asLong());
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("cannot mint a flow token", problems);
        }
        String token = FlowTokens.mint();
        Instant now = clock.instant();
        FlowSession session = new FlowSession(UUID.randomUUID(), waId, flowId, FlowSession.ACTIVE, null, List.of(),
                JsonNodeFactory.instance.objectNode(),
                data != null && data.isObject() ? (ObjectNode) data : JsonNodeFactory.instance.objectNode(),
                null, null, 0, now, now, now.plus(ttl), null, null, null, null);
        session = assigner.assign(session);
        Integer version = sessions.insert(session, FlowTokens.hash(token));
        log.debug("session {} minted for flow {}, expires {}", session.sessionId(), flowId, session.expiresAt());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("flow_token", token);
        out.put("session_id", session.sessionId().toString());
        out.put("flow_id", flowId);
        out.put("flow_version", version);
        out.put("expires_at", session.expiresAt().toString());
        if (session.experimentId() != null) {
            out.put("experiment_id", session.experimentId());
            out.put("variant", session.variant());
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
    }

    @GetMapping(path = "/api/flow-sessions/{sessionId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> get(@PathVariable String sessionId) {
        UUID id;
        try {
            id = UUID.fromString(sessionId);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("session id must be a UUID");
        }
        FlowSession s = sessions.findById(id).orElseThrow(() -> ApiException.notFound("no session " + sessionId));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("session_id", s.sessionId().toString());
        out.put("flow_id", s.flowId());
        out.put("wa_id", s.waId());
        out.put("status", s.status());
        out.put("current_screen", s.currentScreen());
        out.put("history", s.history().stream().map(FlowSession.Screen::screen).toList());
        out.put("user_data", s.userData());
        out.put("transitions", s.transitions());
        out.put("handover", s.handoverAt() != null);
        out.put("created_at", s.createdAt().toString());
        out.put("expires_at", s.expiresAt().toString());
        out.put("experiment_id", s.experimentId());
        out.put("variant", s.variant());
        return out;
    }
}
