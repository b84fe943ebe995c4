package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The calls a business makes on routing-api's admin API before a user opens a Flow: read the uploaded
 * Flow JSON, and mint a flow token for the user ({@code POST /api/flow-sessions}); and, for the experiment
 * scenarios, any other admin call. The bearer
 * token goes in the header only; it is never part of an error message.
 */
final class AdminApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final URI base;
    private final String token;

    AdminApi(HttpClient http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    /** A minted flow token, the session it opens, and the experiment variant it was assigned ("" for none). */
    record Minted(String flowToken, String sessionId, String variant) {
        @Override
        public String toString() {
            return "Minted[sessionId=" + sessionId + "]";
        }
    }

    /** Thrown when routing-api answers something other than success; the message says what it answered. */
    static final class AdminException extends Exception {
        final int status;

        AdminException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Mints a token for {@code waId} on {@code flowId}.
     *
     * @param ttlSeconds the token's lifetime, or 0 for routing-api's default
     */
    Minted mint(String waId, String flowId, int ttlSeconds) throws IOException, InterruptedException, AdminException {
        ObjectNode body = JSON.createObjectNode();
        body.put("wa_id", waId);
        body.put("flow_id", flowId);
        if (ttlSeconds > 0) {
            body.put("ttl_seconds", ttlSeconds);
        }
        JsonNode answer = call("POST", "/api/flow-sessions", body.toString(), 201);
        String flowToken = answer.path("flow_token").asText("");
        String sessionId = answer.path("session_id").asText("");
        if (flowToken.isEmpty() || sessionId.isEmpty()) {
            throw new AdminException(201, "POST /api/flow-sessions answered without flow_token or session_id");
        }
        return new Minted(flowToken, sessionId, answer.path("variant").asText(""));
    }

    /** The Flow JSON uploaded as {@code flowId}. */
    JsonNode flow(String flowId) throws IOException, InterruptedException, AdminException {
        return call("GET", "/api/flows/" + URLEncoder.encode(flowId, StandardCharsets.UTF_8), null, 200);
    }

    /** Any admin API call; {@code expected} is the one status that counts as success. */
    JsonNode call(String method, String path, String body, int expected)
            throws IOException, InterruptedException, AdminException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != expected) {
            throw new AdminException(response.statusCode(), method + " " + path + " answered " + response.statusCode()
                    + (response.statusCode() == 401 ? " (is the admin token right?)" : ": " + clip(response.body())));
        }
        return JSON.readTree(response.body());
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
