package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.InboundUpdate;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WhatsApp user writing to the business, as ingest-api hands the updates on: each message an
 * {@link InboundUpdate} whose {@code payload} is the element of {@code messages[]} Meta sends (reference
 * §2.3: {@code from}, {@code id}, {@code timestamp} in epoch seconds, {@code type} and its object), with
 * a fresh wamid and WhatsApp's timestamp one second after the previous message unless given.
 */
final class WhatsAppUser {

    static final String PHONE_NUMBER_ID = "106540352242922";
    static final String WABA_ID = "102290129340398";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String waId;
    private final AtomicInteger sequence = new AtomicInteger();
    private Instant clock;

    WhatsAppUser(String waId) {
        this.waId = waId;
        // WhatsApp timestamps are whole seconds
        this.clock = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    }

    String waId() {
        return waId;
    }

    /** The WhatsApp time of the next message (and moves the user's clock on by a second). */
    synchronized Instant nextTime() {
        clock = clock.plusSeconds(1);
        return clock;
    }

    InboundUpdate text(String body) {
        return textAt(body, nextTime());
    }

    InboundUpdate textAt(String body, Instant at) {
        ObjectNode m = message("text", at);
        m.putObject("text").put("body", body);
        return update(m, at);
    }

    InboundUpdate buttonReply(String id, String title) {
        Instant at = nextTime();
        ObjectNode m = message("interactive", at);
        m.putObject("interactive").put("type", "button_reply").putObject("button_reply").put("id", id).put("title", title);
        return update(m, at);
    }

    InboundUpdate listReply(String id, String title) {
        Instant at = nextTime();
        ObjectNode m = message("interactive", at);
        m.putObject("interactive").put("type", "list_reply").putObject("list_reply").put("id", id).put("title", title);
        return update(m, at);
    }

    /** A Flow completion: {@code responseJson} is the string Meta puts in {@code nfm_reply.response_json}. */
    InboundUpdate flowCompletion(String responseJson, String contextWamid) {
        Instant at = nextTime();
        ObjectNode m = message("interactive", at);
        if (contextWamid != null) {
            m.putObject("context").put("from", "15550783881").put("id", contextWamid);
        }
        m.putObject("interactive").put("type", "nfm_reply").putObject("nfm_reply")
                .put("name", "flow").put("body", "Sent").put("response_json", responseJson);
        return update(m, at);
    }

    InboundUpdate location() {
        Instant at = nextTime();
        ObjectNode m = message("location", at);
        m.putObject("location").put("latitude", 38.7223).put("longitude", -9.1393);
        return update(m, at);
    }

    InboundUpdate voiceNote() {
        Instant at = nextTime();
        ObjectNode m = message("audio", at);
        m.putObject("audio").put("id", "media-" + sequence.incrementAndGet()).put("mime_type", "audio/ogg; codecs=opus")
                .put("voice", true);
        return update(m, at);
    }

    /** A delivery status of a message the business sent to this user. */
    InboundUpdate status(String wamid, String status, Instant at) {
        ObjectNode s = F.objectNode();
        s.put("id", wamid).put("status", status).put("timestamp", Long.toString(at.getEpochSecond())).put("recipient_id", waId);
        if ("failed".equals(status)) {
            s.putArray("errors").addObject().put("code", 131047).put("title", "Re-engagement message");
        }
        return new InboundUpdate(wamid + ":" + status, at, InboundUpdate.KIND_STATUS, status, waId, waId, wamid,
                PHONE_NUMBER_ID, WABA_ID, Instant.now(), null, s);
    }

    private ObjectNode message(String type, Instant at) {
        ObjectNode m = F.objectNode();
        m.put("from", waId);
        m.put("id", "wamid.test-" + waId + "-" + sequence.incrementAndGet());
        m.put("timestamp", Long.toString(at.getEpochSecond()));
        m.put("type", type);
        return m;
    }

    private InboundUpdate update(ObjectNode message, Instant at) {
        ObjectNode contact = F.objectNode();
        contact.putObject("profile").put("name", "Test User");
        contact.put("wa_id", waId);
        String wamid = message.get("id").asText();
        return new InboundUpdate(wamid, at, InboundUpdate.KIND_MESSAGE, message.get("type").asText(), waId, waId, wamid,
                PHONE_NUMBER_ID, WABA_ID, Instant.now(), contact, message);
    }
}
