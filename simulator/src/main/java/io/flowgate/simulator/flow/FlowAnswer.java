package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the Flow endpoint answered one request, as the WhatsApp client understands it.
 *
 * @param status       the HTTP status, or -1 when no HTTP answer came (timeout, connection refused)
 * @param json         the decrypted answer (for a 427 the {@code error_msg} body when there is one), or null
 * @param failure      why the answer is unusable ({@code "timeout"}, {@code "undecryptable answer"}, ...), or null
 * @param latencyNanos from sending the request to the last byte of the answer
 */
record FlowAnswer(int status, JsonNode json, String failure, long latencyNanos) {

    static final int INVALID_TOKEN = 427;

    /** A 200 whose body decrypted to JSON. */
    boolean ok() {
        return status == 200 && failure == null && json != null;
    }

    /** The screen the answer shows ({@code SUCCESS} on completion), or null. */
    String screen() {
        return json == null || !json.path("screen").isTextual() ? null : json.get("screen").asText();
    }

    JsonNode data() {
        return json == null ? null : json.path("data");
    }

    /** How this answer counts as an error: the failure, else the HTTP status. */
    String error() {
        return failure != null ? failure : "HTTP " + status;
    }
}
