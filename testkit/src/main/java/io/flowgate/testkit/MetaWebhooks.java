package io.flowgate.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Webhook bodies of the {@code messages} field as Meta posts them (reference §2.3): {@code object},
 * {@code entry[].changes[]} with a {@code value} holding the business number's {@code metadata}, the
 * sender's {@code contacts}, and {@code messages}, {@code statuses} or {@code errors}. Written out as
 * JSON text rather than built with the services' classes; sign them with {@link HubSignature}.
 *
 * <p>The static builders use Meta's example business ({@link #WABA_ID}, {@link #PHONE_NUMBER_ID}) and
 * fixed timestamps, for tests; an instance speaks for a chosen business with the times given, as the
 * simulator's users do.
 */
public final class MetaWebhooks {

    public static final String WABA_ID = "102290129340398";
    public static final String PHONE_NUMBER_ID = "106540352242922";
    private static final String DISPLAY_NUMBER = "15550783881";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String wabaId;
    private final String phoneNumberId;

    /** Webhooks of the business {@code wabaId} for its number {@code phoneNumberId}. */
    public MetaWebhooks(String wabaId, String phoneNumberId) {
        this.wabaId = wabaId;
        this.phoneNumberId = phoneNumberId;
    }

    /** A message a user writes: its wamid, when, and the {@code messages[]} entry as JSON text. */
    public record Message(String wamid, long timestamp, String json) {
    }

    /** One webhook delivering {@code messages} from one user, with the user's contact. */
    public byte[] messages(String waId, String profileName, List<Message> messages) {
        String contact = "{\"profile\":{\"name\":" + quote(profileName) + "},\"wa_id\":" + quote(waId) + "}";
        return bytes(envelope(wabaId, value(phoneNumberId, List.of(contact), messages.stream().map(Message::json).toList(),
                List.of(), List.of())));
    }

    /** One webhook reporting that an outgoing message reached {@code status} (sent, delivered, read). */
    public byte[] statusUpdate(String recipient, String outgoingWamid, String status, long timestamp) {
        String s = """
                {"id":%s,"status":%s,"timestamp":"%d","recipient_id":%s,\
                "pricing":{"billable":false,"pricing_model":"PMP","category":"service","type":"free_customer_service"}}"""
                .formatted(quote(outgoingWamid), quote(status), timestamp, quote(recipient));
        return bytes(envelope(wabaId, value(phoneNumberId, List.of(), List.of(), List.of(s), List.of())));
    }

    /** A wamid from {@code random}, as a simulation draws them (repeatable with a seed). */
    public static String wamid(RandomGenerator random) {
        byte[] id = new byte[18];
        random.nextBytes(id);
        return "wamid.HBgL" + HexFormat.of().withUpperCase().formatHex(id);
    }

    /** A text message written at {@code timestamp} (epoch seconds); {@code body} may hold any character. */
    public static Message text(String from, String wamid, long timestamp, String body) {
        return new Message(wamid, timestamp, message(from, wamid, timestamp, "text", "\"text\":{\"body\":" + quote(body) + "}"));
    }

    /** A tap on a reply button ({@code button_reply}) or a list row ({@code list_reply}) the business sent. */
    public static Message interactive(String from, String wamid, long timestamp, String replyType, String id, String title) {
        return new Message(wamid, timestamp, message(from, wamid, timestamp, "interactive", "\"interactive\":{\"type\":"
                + quote(replyType) + "," + quote(replyType) + ":{\"id\":" + quote(id) + ",\"title\":" + quote(title) + "}}"));
    }

    private static String message(String from, String wamid, long timestamp, String type, String content) {
        return "{\"from\":" + quote(from) + ",\"id\":" + quote(wamid) + ",\"timestamp\":\"" + timestamp + "\",\"type\":"
                + quote(type) + "," + content + "}";
    }

    /** {@code text} as a JSON string, quoted and escaped. */
    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh wamid, so that each test finds its own records on the shared topic. */
    public static String wamid() {
        return "wamid.HBgL" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A fresh 11-digit phone number. */
    public static String phone() {
        return "1650" + String.format("%07d", Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 10_000_000L));
    }

    /** The whole body: one entry, one change of field {@code messages} holding {@code value}. */
    public static String envelope(String value) {
        return envelope(WABA_ID, value);
    }

    private static String envelope(String wabaId, String value) {
        return """
                {"object":"whatsapp_business_account","entry":[{"id":"%s","changes":[{"value":%s,"field":"messages"}]}]}"""
                .formatted(wabaId, value);
    }

    /** A {@code value} with contacts, messages, statuses and errors (each a list of JSON objects). */
    public static String value(List<String> contacts, List<String> messages, List<String> statuses, List<String> errors) {
        return value(PHONE_NUMBER_ID, contacts, messages, statuses, errors);
    }

    private static String value(String phoneNumberId, List<String> contacts, List<String> messages, List<String> statuses,
                                List<String> errors) {
        StringBuilder v = new StringBuilder("""
                {"messaging_product":"whatsapp","metadata":{"display_phone_number":"%s","phone_number_id":"%s"}"""
                .formatted(DISPLAY_NUMBER, phoneNumberId));
        appendArray(v, "contacts", contacts);
        appendArray(v, "messages", messages);
        appendArray(v, "statuses", statuses);
        appendArray(v, "errors", errors);
        return v.append('}').toString();
    }

    private static void appendArray(StringBuilder v, String name, List<String> items) {
        if (!items.isEmpty()) {
            v.append(",\"").append(name).append("\":[").append(String.join(",", items)).append(']');
        }
    }

    /** A webhook with one message from one contact. */
    public static String messageWebhook(String contact, String message) {
        return envelope(value(List.of(contact), List.of(message), List.of(), List.of()));
    }

    public static String contact(String waId) {
        return """
                {"profile":{"name":"Ana Lima"},"wa_id":"%s"}""".formatted(waId);
    }

    public static String contactWithUserId(String waId, String userId) {
        return """
                {"profile":{"name":"Ana Lima"},"wa_id":"%s","user_id":"%s"}""".formatted(waId, userId);
    }

    /** A username user: a business-scoped id and no phone number at all. */
    public static String contactWithoutPhone(String userId) {
        return """
                {"profile":{"name":"Ana Lima","username":"@ana"},"user_id":"%s"}""".formatted(userId);
    }

    public static String text(String from, String wamid, String body) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416383","type":"text","text":{"body":"%s"}}"""
                .formatted(from, wamid, body);
    }

    public static String buttonReply(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.context1"},"from":"%s","id":"%s","timestamp":"1749416384",\
                "type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"budget_high","title":"Over 5k"}}}"""
                .formatted(from, wamid);
    }

    public static String listReply(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.context2"},"from":"%s","id":"%s","timestamp":"1749416385",\
                "type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"retail","title":"Retail",\
                "description":"Shops and e-commerce"}}}""".formatted(from, wamid);
    }

    /** A Flow completion: {@code response_json} is a JSON document inside a string. */
    public static String flowCompletion(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.flowmsg"},"from":"%s","id":"%s","timestamp":"1749416386",\
                "type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent",\
                "response_json":"{\\"flow_token\\":\\"ft_9f8e7d\\",\\"budget\\":\\"7000\\",\\"optional_param1\\":null}"}}}"""
                .formatted(from, wamid);
    }

    public static String templateButton(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.template"},"from":"%s","id":"%s","timestamp":"1749416387",\
                "type":"button","button":{"payload":"TALK_TO_SALES","text":"Talk to sales"}}""".formatted(from, wamid);
    }

    public static String location(String from, String wamid) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416388","type":"location","location":{"latitude":-23.561414,\
                "longitude":-46.655881,"name":"Paulista","address":"Av. Paulista, 1578"}}""".formatted(from, wamid);
    }

    /** {@code image}, {@code audio}, {@code video}, {@code document} or {@code sticker}. */
    public static String media(String type, String from, String wamid) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416389","type":"%s","%s":{"mime_type":"application/octet-stream",\
                "sha256":"0q6rHT0bF3cw4mKxGdJmPeMy1V8fzUu6y8KSTqkJw6s=","id":"1003383421387256"}}"""
                .formatted(from, wamid, type, type);
    }

    public static String unsupported(String from, String wamid) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416390","type":"unsupported","errors":[{"code":131051,\
                "title":"Message type unknown","message":"Message type unknown",\
                "error_data":{"details":"Message type is currently not supported."}}]}""".formatted(from, wamid);
    }

    public static String status(String wamid, String status, String recipient) {
        return """
                {"id":"%s","status":"%s","timestamp":"1750857384","recipient_id":"%s",\
                "pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"service"}}"""
                .formatted(wamid, status, recipient);
    }

    public static String failedStatus(String wamid, String recipient) {
        return """
                {"id":"%s","status":"failed","timestamp":"1750857390","recipient_id":"%s","errors":[{"code":131047,\
                "title":"Re-engagement message","message":"Re-engagement message",\
                "error_data":{"details":"Message failed to send because more than 24 hours have passed."},\
                "href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}"""
                .formatted(wamid, recipient);
    }

    public static String error(int code) {
        return """
                {"code":%d,"title":"Rate limit hit","message":"Rate limit hit",\
                "error_data":{"details":"Cloud API message throughput has been reached."}}""".formatted(code);
    }
}
