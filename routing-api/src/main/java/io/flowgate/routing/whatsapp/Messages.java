package io.flowgate.routing.whatsapp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * Builds Cloud API message bodies (reference §2.4) for {@link OutgoingMessages#enqueue}: text,
 * reply buttons, a list, a Flow message and a template. Limits are Meta's: text ≤ 4096 characters,
 * at most 3 reply buttons with titles ≤ 20 characters, list rows ≤ 10.
 */
public final class Messages {

    static final int MAX_TEXT = 4096;
    static final int MAX_BUTTONS = 3;
    static final int MAX_BUTTON_TITLE = 20;
    static final int MAX_LIST_ROWS = 10;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Messages() {
    }

    public static ObjectNode text(String body) {
        ObjectNode m = F.objectNode();
        m.put("type", "text");
        m.putObject("text").put("preview_url", false).put("body", clip(body, MAX_TEXT));
        return m;
    }

    /** Reply buttons: id to title, at most three. */
    public static ObjectNode buttons(String body, Map<String, String> idToTitle) {
        if (idToTitle.isEmpty() || idToTitle.size() > MAX_BUTTONS) {
            throw new IllegalArgumentException("1 to " + MAX_BUTTONS + " reply buttons, not " + idToTitle.size());
        }
        ObjectNode m = interactive("button", body);
        ArrayNode buttons = ((ObjectNode) m.get("interactive")).putObject("action").putArray("buttons");
        idToTitle.forEach((id, title) -> buttons.addObject().put("type", "reply").putObject("reply")
                .put("id", id).put("title", clip(title, MAX_BUTTON_TITLE)));
        return m;
    }

    /** A list message with one section: id to title, at most ten rows. */
    public static ObjectNode list(String body, String buttonLabel, Map<String, String> idToTitle) {
        if (idToTitle.isEmpty() || idToTitle.size() > MAX_LIST_ROWS) {
            throw new IllegalArgumentException("1 to " + MAX_LIST_ROWS + " list rows, not " + idToTitle.size());
        }
        ObjectNode m = interactive("list", body);
        ObjectNode action = ((ObjectNode) m.get("interactive")).putObject("action");
        action.put("button", clip(buttonLabel, MAX_BUTTON_TITLE));
        ArrayNode rows = action.putArray("sections").addObject().put("title", clip(buttonLabel, 24)).putArray("rows");
        idToTitle.forEach((id, title) -> rows.addObject().put("id", id).put("title", clip(title, 24)));
        return m;
    }

    /** An interactive Flow message opening {@code flowId} with {@code flowToken} ({@code flow_action: data_exchange}). */
    public static ObjectNode flow(String body, String flowId, String flowToken, String cta) {
        ObjectNode m = interactive("flow", body);
        ObjectNode parameters = ((ObjectNode) m.get("interactive")).putObject("action").put("name", "flow").putObject("parameters");
        parameters.put("flow_message_version", "3");
        parameters.put("flow_token", flowToken);
        parameters.put("flow_id", flowId);
        parameters.put("flow_cta", clip(cta, MAX_BUTTON_TITLE));
        parameters.put("flow_action", "data_exchange");
        return m;
    }

    /** A template message (needed outside the 24-hour service window) with body parameters. */
    public static ObjectNode template(String name, String language, List<String> bodyParameters) {
        ObjectNode m = F.objectNode();
        m.put("type", "template");
        ObjectNode template = m.putObject("template");
        template.put("name", name);
        template.putObject("language").put("code", language);
        if (!bodyParameters.isEmpty()) {
            ArrayNode params = template.putArray("components").addObject().put("type", "body").putArray("parameters");
            bodyParameters.forEach(p -> params.addObject().put("type", "text").put("text", p));
        }
        return m;
    }

    private static ObjectNode interactive(String type, String body) {
        ObjectNode m = F.objectNode();
        m.put("type", "interactive");
        ObjectNode interactive = m.putObject("interactive");
        interactive.put("type", type);
        interactive.putObject("body").put("text", clip(body, 1024));
        return m;
    }

    private static String clip(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
    }
}
