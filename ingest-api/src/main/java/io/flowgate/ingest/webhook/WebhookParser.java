package io.flowgate.ingest.webhook;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.flowgate.events.EventJson;
import io.flowgate.events.InboundUpdate;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.ingest.webhook.MalformedWebhookException.Reason;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns a webhook body into one {@link InboundUpdate} per message, status and error it carries
 * (reference §2.3). The envelope ({@code object}, {@code entry[]}, {@code changes[]}, {@code value})
 * must have Meta's shape, or the whole body is refused; inside it, updates are taken as they come:
 * a message type or a field Flowgate does not know yet still becomes an update, whole, for the
 * consumer to judge. A change of the {@code flows} field (Meta's Flow health alerts and status changes,
 * reference §1.8) becomes one {@link MetaFlowSignal}, its {@code value} kept whole, whatever its
 * {@code event}. Changes of any other field carry nothing Flowgate uses and are only counted.
 */
final class WebhookParser {

    static final String OBJECT = "whatsapp_business_account";
    static final String MESSAGES_FIELD = "messages";
    /** Hex digits of SHA-256 kept in a derived event id: 128 bits, no collision in any realistic volume. */
    private static final int HASH_HEX_LENGTH = 32;

    /** Trailing bytes after the JSON value are an error, not something to ignore silently. */
    private static final ObjectReader JSON = EventJson.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What a webhook body holds. */
    record ParsedWebhook(List<InboundUpdate> updates, List<MetaFlowSignal> signals, int ignoredChanges) {

        boolean isEmpty() {
            return updates.isEmpty() && signals.isEmpty();
        }
    }

    private WebhookParser() {
    }

    static ParsedWebhook parse(byte[] body, Instant receivedAt) throws MalformedWebhookException {
        JsonNode root = readJson(body);
        if (!root.isObject()) {
            throw shape("the body is a JSON " + root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + ", not an object");
        }
        if (!OBJECT.equals(text(root, "object"))) {
            throw shape("object is not " + OBJECT);
        }
        JsonNode entries = array(root, "entry", "entry");
        List<InboundUpdate> updates = new ArrayList<>();
        List<MetaFlowSignal> signals = new ArrayList<>();
        int ignored = 0;
        for (int e = 0; e < entries.size(); e++) {
            String entryPath = "entry[" + e + "]";
            JsonNode entry = object(entries.get(e), entryPath);
            String wabaId = text(entry, "id");
            Instant entryTime = epochSeconds(entry.get("time"));
            JsonNode changes = array(entry, "changes", entryPath + ".changes");
            for (int c = 0; c < changes.size(); c++) {
                String changePath = entryPath + ".changes[" + c + "]";
                JsonNode change = object(changes.get(c), changePath);
                String field = text(change, "field");
                if (field == null) {
                    throw shape(changePath + ".field is missing");
                }
                if (MetaFlowSignal.FIELD.equals(field)) {
                    JsonNode value = object(change.get("value"), changePath + ".value");
                    signals.add(signal(value, wabaId, entryTime, receivedAt));
                    continue;
                }
                if (!MESSAGES_FIELD.equals(field)) {
                    ignored++;
                    continue;
                }
                JsonNode value = object(change.get("value"), changePath + ".value");
                new ValueReader(value, changePath + ".value", wabaId, receivedAt).readInto(updates);
            }
        }
        return new ParsedWebhook(List.copyOf(updates), List.copyOf(signals), ignored);
    }

    /**
     * One change of the {@code flows} field. Meta gives it no id: the id is a digest of the business
     * account, the entry's time and the value, so a redelivery of the same change has the same id.
     */
    private static MetaFlowSignal signal(JsonNode value, String wabaId, Instant entryTime, Instant receivedAt) {
        String event = text(value, "event");
        return new MetaFlowSignal("meta:" + digest(wabaId + "\n" + entryTime, value),
                entryTime != null ? entryTime : receivedAt, event == null || event.isBlank() ? MetaFlowSignal.UNKNOWN : event,
                text(value, "flow_id"), wabaId, receivedAt, value);
    }

    /** The first 128 bits of SHA-256 over {@code prefix}, a newline and {@code node}'s JSON, in hex. */
    private static String digest(String prefix, JsonNode node) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prefix.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(EventJson.mapper().writeValueAsBytes(node));
            return HexFormat.of().formatHex(sha.digest()).substring(0, HASH_HEX_LENGTH);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("cannot derive an event id", e);
        }
    }

    /** Epoch seconds (a number or a numeric string) as an instant; null when absent or not one. */
    private static Instant epochSeconds(JsonNode ts) {
        if (ts != null && (ts.isTextual() || ts.isIntegralNumber())) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(ts.asText().trim()));
            } catch (NumberFormatException | DateTimeException notEpochSeconds) {
                return null;
            }
        }
        return null;
    }

    private static JsonNode readJson(byte[] body) throws MalformedWebhookException {
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw new MalformedWebhookException(Reason.MALFORMED_JSON, "the body is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            // Jackson's own message may quote the body, so only the position is kept
            throw new MalformedWebhookException(Reason.MALFORMED_JSON, "invalid JSON" + where);
        } catch (IOException e) {
            throw new MalformedWebhookException(Reason.MALFORMED_JSON, "unreadable JSON");
        }
    }

    /** One {@code value} of the {@code messages} field: its messages, statuses and errors. */
    private static final class ValueReader {
        private final JsonNode value;
        private final String path;
        private final String wabaId;
        private final Instant receivedAt;
        private final String phoneNumberId;
        private final List<JsonNode> contacts;

        ValueReader(JsonNode value, String path, String wabaId, Instant receivedAt) throws MalformedWebhookException {
            this.value = value;
            this.path = path;
            this.wabaId = wabaId;
            this.receivedAt = receivedAt;
            JsonNode metadata = value.get("metadata");
            this.phoneNumberId = metadata == null ? null : text(metadata, "phone_number_id");
            this.contacts = optionalObjects(value, "contacts", path + ".contacts");
        }

        void readInto(List<InboundUpdate> out) throws MalformedWebhookException {
            for (JsonNode message : optionalObjects(value, "messages", path + ".messages")) {
                out.add(message(message));
            }
            for (JsonNode status : optionalObjects(value, "statuses", path + ".statuses")) {
                out.add(status(status));
            }
            for (JsonNode error : optionalObjects(value, "errors", path + ".errors")) {
                out.add(error(error));
            }
        }

        private InboundUpdate message(JsonNode message) {
            User user = user(message, "from", "from_user_id");
            String wamid = text(message, "id");
            String type = firstNonNull(text(message, "type"), "unknown");
            String eventId = wamid != null ? wamid : derivedId(InboundUpdate.KIND_MESSAGE, message);
            return new InboundUpdate(eventId, timestamp(message), InboundUpdate.KIND_MESSAGE, type, user.id, user.waId,
                    wamid, phoneNumberId, wabaId, receivedAt, user.contact, message);
        }

        private InboundUpdate status(JsonNode status) {
            User user = user(status, "recipient_id", "recipient_user_id");
            String wamid = text(status, "id");
            String value = firstNonNull(text(status, "status"), "unknown");
            // one message goes through several statuses: each is its own update
            String eventId = wamid != null ? wamid + ":" + value : derivedId(InboundUpdate.KIND_STATUS, status);
            return new InboundUpdate(eventId, timestamp(status), InboundUpdate.KIND_STATUS, value, user.id, user.waId,
                    wamid, phoneNumberId, wabaId, receivedAt, user.contact, status);
        }

        /** Who an update is about: its key, its phone number if any, and its {@code contacts[]} entry if any. */
        private record User(String id, String waId, JsonNode contact) {
        }

        /**
         * The business-scoped id wins over the phone number, wherever Meta put it: on the update
         * itself or on the user's {@code contacts[]} entry.
         */
        private User user(JsonNode update, String phoneField, String userIdField) {
            String phone = text(update, phoneField);
            String userId = text(update, userIdField);
            JsonNode contact = contactOf(phone, userId);
            return new User(firstNonNull(userId, text(contact, "user_id"), phone, text(contact, "wa_id")),
                    firstNonNull(phone, text(contact, "wa_id")), contact);
        }

        private InboundUpdate error(JsonNode error) {
            String code = firstNonNull(text(error, "code"), "unknown");
            return new InboundUpdate(derivedId(InboundUpdate.KIND_ERROR, error), receivedAt, InboundUpdate.KIND_ERROR, code,
                    null, null, null, phoneNumberId, wabaId, receivedAt, null, error);
        }

        /**
         * The {@code contacts[]} entry of the user an update is about: the one with the same
         * {@code user_id} or {@code wa_id}; the only one, when the update names neither.
         */
        private JsonNode contactOf(String waId, String userId) {
            for (JsonNode contact : contacts) {
                if ((userId != null && userId.equals(text(contact, "user_id")))
                        || (waId != null && waId.equals(text(contact, "wa_id")))) {
                    return contact;
                }
            }
            return waId == null && userId == null && contacts.size() == 1 ? contacts.get(0) : null;
        }

        /**
         * An id for an update Meta gave none: the same update delivered again hashes the same, so
         * the id still deduplicates. Identical errors reported twice are indistinguishable from a
         * redelivery and collapse into one; Meta's error objects carry no id or time to tell them apart.
         */
        private String derivedId(String kind, JsonNode update) {
            return kind + ":" + digest(String.valueOf(phoneNumberId), update);
        }

        private Instant timestamp(JsonNode update) {
            Instant time = epochSeconds(update.get("timestamp"));
            return time != null ? time : receivedAt;
        }
    }

    /** A string or number field as text; null when absent, null or structured. */
    static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static JsonNode object(JsonNode node, String path) throws MalformedWebhookException {
        if (node == null || !node.isObject()) {
            throw shape(path + (node == null ? " is missing" : " is not an object"));
        }
        return node;
    }

    private static JsonNode array(JsonNode parent, String field, String path) throws MalformedWebhookException {
        JsonNode node = parent.get(field);
        if (node == null || !node.isArray()) {
            throw shape(path + (node == null ? " is missing" : " is not an array"));
        }
        return node;
    }

    /** An optional array whose elements must all be objects; empty when absent. */
    private static List<JsonNode> optionalObjects(JsonNode parent, String field, String path) throws MalformedWebhookException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw shape(path + " is not an array");
        }
        List<JsonNode> objects = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            objects.add(object(node.get(i), path + "[" + i + "]"));
        }
        return objects;
    }

    private static MalformedWebhookException shape(String detail) {
        return new MalformedWebhookException(Reason.UNKNOWN_SHAPE, detail);
    }
}
