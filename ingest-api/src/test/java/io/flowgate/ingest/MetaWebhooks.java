package io.flowgate.ingest;

import io.flowgate.events.MetaFlowsWebhooks;

import java.util.List;
import java.util.UUID;

/**
 * Webhook bodies as Meta sends them (reference §2.3), written out as JSON text rather than built
 * with the server's own classes, and signed the way Meta signs them, with an HMAC computed here.
 */
final class MetaWebhooks {

    static final String WABA_ID = "102290129340398";
    static final String PHONE_NUMBER_ID = "106540352242922";

    private MetaWebhooks() {
    }

    /** A fresh wamid, so that each test finds its own records on the shared topic. */
    static String wamid() {
        return "wamid.HBgL" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A fresh 11-digit phone number. */
    static String phone() {
        return "1650" + String.format("%07d", Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 10_000_000L));
    }

    static String signature(byte[] body, String secret) {
        return MetaFlowsWebhooks.signature(body, secret);
    }

    /** The whole body: one entry, one change of field {@code messages} holding {@code value}. */
    static String envelope(String value) {
        return """
                {"object":"whatsapp_business_account","entry":[{"id":"%s","changes":[{"value":%s,"field":"messages"}]}]}"""
                .formatted(WABA_ID, value);
    }

    /** A {@code value} with contacts, messages, statuses and errors (each a list of JSON objects). */
    static String value(List<String> contacts, List<String> messages, List<String> statuses, List<String> errors) {
        StringBuilder v = new StringBuilder("""
                {"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"}"""
                .formatted(PHONE_NUMBER_ID));
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
    static String messageWebhook(String contact, String message) {
        return envelope(value(List.of(contact), List.of(message), List.of(), List.of()));
    }

    static String contact(String waId) {
        return """
                {"profile":{"name":"Ana Lima"},"wa_id":"%s"}""".formatted(waId);
    }

    static String contactWithUserId(String waId, String userId) {
        return """
                {"profile":{"name":"Ana Lima"},"wa_id":"%s","user_id":"%s"}""".formatted(waId, userId);
    }

    /** A username user: a business-scoped id and no phone number at all. */
    static String contactWithoutPhone(String userId) {
        return """
                {"profile":{"name":"Ana Lima","username":"@ana"},"user_id":"%s"}""".formatted(userId);
    }

    static String text(String from, String wamid, String body) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416383","type":"text","text":{"body":"%s"}}"""
                .formatted(from, wamid, body);
    }

    static String buttonReply(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.context1"},"from":"%s","id":"%s","timestamp":"1749416384",\
                "type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"budget_high","title":"Over 5k"}}}"""
                .formatted(from, wamid);
    }

    static String listReply(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.context2"},"from":"%s","id":"%s","timestamp":"1749416385",\
                "type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"retail","title":"Retail",\
                "description":"Shops and e-commerce"}}}""".formatted(from, wamid);
    }

    /** A Flow completion: {@code response_json} is a JSON document inside a string. */
    static String flowCompletion(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.flowmsg"},"from":"%s","id":"%s","timestamp":"1749416386",\
                "type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent",\
                "response_json":"{\\"flow_token\\":\\"ft_9f8e7d\\",\\"budget\\":\\"7000\\",\\"optional_param1\\":null}"}}}"""
                .formatted(from, wamid);
    }

    static String templateButton(String from, String wamid) {
        return """
                {"context":{"from":"15550783881","id":"wamid.template"},"from":"%s","id":"%s","timestamp":"1749416387",\
                "type":"button","button":{"payload":"TALK_TO_SALES","text":"Talk to sales"}}""".formatted(from, wamid);
    }

    static String location(String from, String wamid) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416388","type":"location","location":{"latitude":-23.561414,\
                "longitude":-46.655881,"name":"Paulista","address":"Av. Paulista, 1578"}}""".formatted(from, wamid);
    }

    /** {@code image}, {@code audio}, {@code video}, {@code document} or {@code sticker}. */
    static String media(String type, String from, String wamid) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416389","type":"%s","%s":{"mime_type":"application/octet-stream",\
                "sha256":"0q6rHT0bF3cw4mKxGdJmPeMy1V8fzUu6y8KSTqkJw6s=","id":"1003383421387256"}}"""
                .formatted(from, wamid, type, type);
    }

    static String unsupported(String from, String wamid) {
        return """
                {"from":"%s","id":"%s","timestamp":"1749416390","type":"unsupported","errors":[{"code":131051,\
                "title":"Message type unknown","message":"Message type unknown",\
                "error_data":{"details":"Message type is currently not supported."}}]}""".formatted(from, wamid);
    }

    static String status(String wamid, String status, String recipient) {
        return """
                {"id":"%s","status":"%s","timestamp":"1750857384","recipient_id":"%s",\
                "pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"service"}}"""
                .formatted(wamid, status, recipient);
    }

    static String failedStatus(String wamid, String recipient) {
        return """
                {"id":"%s","status":"failed","timestamp":"1750857390","recipient_id":"%s","errors":[{"code":131047,\
                "title":"Re-engagement message","message":"Re-engagement message",\
                "error_data":{"details":"Message failed to send because more than 24 hours have passed."},\
                "href":"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}"""
                .formatted(wamid, recipient);
    }

    static String error(int code) {
        return """
                {"code":%d,"title":"Rate limit hit","message":"Rate limit hit",\
                "error_data":{"details":"Cloud API message throughput has been reached."}}""".formatted(code);
    }
}
