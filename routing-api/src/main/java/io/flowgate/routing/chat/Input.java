package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.EventJson;
import io.flowgate.events.InboundUpdate;
import io.flowgate.routing.system.ControlCharacters;

import java.io.IOException;
import java.util.Locale;

/**
 * An inbound message as a chat machine sees it, read from the {@code payload} Meta sent (reference §2.3):
 * the text of a text message; the id and title of a tapped reply button, list row or template quick-reply
 * button; a Flow completion ({@code interactive.nfm_reply}) with its flow token and params; and the
 * {@code context.id} of the business message it answers. Everything else (voice notes, locations, images,
 * stickers, ...) is only its type: to a question it is an unexpected answer. A user's text cannot be
 * refused, so what PostgreSQL would refuse in it (U+0000, unpaired surrogates) is replaced with U+FFFD here,
 * before anything is stored.
 *
 * @param type       Meta's message type ({@code text}, {@code interactive}, {@code button}, {@code location}, ...)
 * @param text       the typed text, or null
 * @param replyId    the id of the tapped button or list row (the payload of a template button), or null
 * @param replyTitle its title, or null
 * @param flowReply  the Flow completion, or null
 * @param contextId  the wamid of the business message this one answers, or null
 */
public record Input(String type, String text, String replyId, String replyTitle, FlowReply flowReply, String contextId) {

    /** Larger {@code response_json} strings are not parsed: a Flow's params are small. */
    static final int MAX_RESPONSE_JSON = 64 * 1024;

    /**
     * A Flow completion. {@code flowToken} is null when the client left it out (some iOS clients do);
     * the session is then found through {@code context.id}.
     */
    record FlowReply(String flowToken, ObjectNode params) {
    }

    public static Input of(InboundUpdate update) {
        JsonNode p = update.payload() == null ? JsonNodeFactory.instance.objectNode() : update.payload();
        String type = ControlCharacters.storable(p.path("type").isTextual() ? p.get("type").asText() : String.valueOf(update.messageType()));
        String text = null;
        String replyId = null;
        String replyTitle = null;
        FlowReply flow = null;
        switch (type) {
            case "text" -> text = textOrNull(p.at("/text/body"));
            case "button" -> {
                replyId = textOrNull(p.at("/button/payload"));
                replyTitle = textOrNull(p.at("/button/text"));
            }
            case "interactive" -> {
                JsonNode i = p.path("interactive");
                switch (i.path("type").asText("")) {
                    case "button_reply" -> {
                        replyId = textOrNull(i.at("/button_reply/id"));
                        replyTitle = textOrNull(i.at("/button_reply/title"));
                    }
                    case "list_reply" -> {
                        replyId = textOrNull(i.at("/list_reply/id"));
                        replyTitle = textOrNull(i.at("/list_reply/title"));
                    }
                    case "nfm_reply" -> flow = flowReply(i.at("/nfm_reply/response_json"));
                    default -> {
                        // an interactive type this machine does not know: an unexpected answer
                    }
                }
            }
            default -> {
                // media, location, contacts, reaction, ...: only the type matters to a question
            }
        }
        return new Input(type, text, replyId, replyTitle, flow, textOrNull(p.at("/context/id")));
    }

    boolean isReaction() {
        return "reaction".equals(type);
    }

    /** The user asked to start over: the keyword typed (or tapped) on its own, in any case. */
    boolean isRestart(String keyword) {
        return matches(text, keyword) || matches(replyId, keyword) || matches(replyTitle, keyword);
    }

    /** What a free answer ("any") stores: the text, the tapped id, or the message type in brackets. */
    public String anyValue() {
        if (text != null) {
            return text.strip();
        }
        if (replyId != null) {
            return replyId;
        }
        return "[" + type.toLowerCase(Locale.ROOT) + "]";
    }

    private static boolean matches(String value, String keyword) {
        return value != null && value.strip().equalsIgnoreCase(keyword);
    }

    private static FlowReply flowReply(JsonNode responseJson) {
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        if (!responseJson.isTextual() || responseJson.asText().length() > MAX_RESPONSE_JSON) {
            return new FlowReply(null, params);
        }
        JsonNode parsed;
        try {
            parsed = EventJson.mapper().readTree(responseJson.asText());
        } catch (IOException e) {
            return new FlowReply(null, params);
        }
        if (!(parsed instanceof ObjectNode object)) {
            return new FlowReply(null, params);
        }
        String token = textOrNull(object.get("flow_token"));
        object.remove("flow_token");
        return new FlowReply(token, (ObjectNode) ControlCharacters.storable(object));
    }

    /** The text as it will be stored: U+0000 and unpaired surrogates replaced ({@link ControlCharacters#storable}). */
    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? ControlCharacters.storable(node.asText()) : null;
    }
}
