package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A decrypted Flow request: {@code version, action, screen, data, flow_token}. The screen is null when
 * the request had none (INIT sends an empty string); data is never null.
 */
record FlowRequest(String version, String action, String screen, ObjectNode data, String flowToken) {

    static final String PING = "ping";
    static final String INIT = "INIT";
    static final String BACK = "BACK";
    static final String DATA_EXCHANGE = "data_exchange";

    /** Reads the payload; returns null when it is not a JSON object. */
    static FlowRequest from(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            return null;
        }
        String screen = text(payload, "screen");
        JsonNode data = payload.get("data");
        return new FlowRequest(
                text(payload, "version"),
                text(payload, "action"),
                screen == null || screen.isEmpty() ? null : screen,
                data instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode(),
                text(payload, "flow_token"));
    }

    /** An error notification: the client reports that an earlier answer was invalid. */
    boolean isErrorNotification() {
        return !PING.equals(action) && (data.has("error") || data.has("error_key"));
    }

    String errorKey() {
        return data.has("error") ? data.path("error").asText() : data.path("error_key").asText();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }
}
