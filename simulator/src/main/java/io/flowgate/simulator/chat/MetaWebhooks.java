package io.flowgate.simulator.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Webhook bodies in the shape Meta posts them (reference §2.3): {@code object}, {@code entry[].changes[]}
 * with {@code field: messages} and a {@code value} holding the business number's {@code metadata}, the
 * sender's {@code contacts}, and {@code messages} or {@code statuses}.
 */
final class MetaWebhooks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DISPLAY_NUMBER = "15550783881";

    private final String wabaId;
    private final String phoneNumberId;

    MetaWebhooks(String wabaId, String phoneNumberId) {
        this.wabaId = wabaId;
        this.phoneNumberId = phoneNumberId;
    }

    /** A message a user writes: its wamid, when, and the {@code messages[]} entry. */
    record Message(String wamid, long timestamp, ObjectNode json) {
    }

    static String wamid(RandomGenerator random) {
        byte[] id = new byte[18];
        random.nextBytes(id);
        return "wamid.HBgL" + HexFormat.of().withUpperCase().formatHex(id);
    }

    static Message text(String from, String wamid, long timestamp, String body) {
        ObjectNode m = message(from, wamid, timestamp, "text");
        m.putObject("text").put("body", body);
        return new Message(wamid, timestamp, m);
    }

    /** A tap on a reply button ({@code button_reply}) or a list row ({@code list_reply}) the business sent. */
    static Message interactive(String from, String wamid, long timestamp, String replyType, String id, String title) {
        ObjectNode m = message(from, wamid, timestamp, "interactive");
        ObjectNode interactive = m.putObject("interactive");
        interactive.put("type", replyType);
        interactive.putObject(replyType).put("id", id).put("title", title);
        return new Message(wamid, timestamp, m);
    }

    private static ObjectNode message(String from, String wamid, long timestamp, String type) {
        ObjectNode m = JSON.createObjectNode();
        m.put("from", from);
        m.put("id", wamid);
        m.put("timestamp", String.valueOf(timestamp));
        m.put("type", type);
        return m;
    }

    /** One webhook delivering {@code messages} from one user, with the user's contact. */
    byte[] messages(String waId, String profileName, List<Message> messages) {
        ObjectNode value = value();
        value.putArray("contacts").addObject().put("wa_id", waId).putObject("profile").put("name", profileName);
        ArrayNode list = value.putArray("messages");
        messages.forEach(m -> list.add(m.json()));
        return envelope(value);
    }

    /** One webhook reporting that an outgoing message reached {@code status} (sent, delivered, read). */
    byte[] status(String recipient, String outgoingWamid, String status, long timestamp) {
        ObjectNode value = value();
        ObjectNode s = value.putArray("statuses").addObject();
        s.put("id", outgoingWamid);
        s.put("status", status);
        s.put("timestamp", String.valueOf(timestamp));
        s.put("recipient_id", recipient);
        s.putObject("pricing").put("billable", false).put("pricing_model", "PMP").put("category", "service")
                .put("type", "free_customer_service");
        return envelope(value);
    }

    private ObjectNode value() {
        ObjectNode value = JSON.createObjectNode();
        value.put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", DISPLAY_NUMBER).put("phone_number_id", phoneNumberId);
        return value;
    }

    private byte[] envelope(ObjectNode value) {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "whatsapp_business_account");
        ObjectNode change = root.putArray("entry").addObject().put("id", wabaId).putArray("changes").addObject();
        change.set("value", value);
        change.put("field", "messages");
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
