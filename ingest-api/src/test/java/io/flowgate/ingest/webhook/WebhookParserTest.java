package io.flowgate.ingest.webhook;

import io.flowgate.events.InboundUpdate;
import io.flowgate.ingest.webhook.MalformedWebhookException.Reason;
import io.flowgate.ingest.webhook.WebhookParser.ParsedWebhook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The envelope rules and the identity rules, on bodies that the HTTP tests do not send. */
class WebhookParserTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-22T10:00:00Z");

    private static ParsedWebhook parse(String json) throws MalformedWebhookException {
        return WebhookParser.parse(json.getBytes(StandardCharsets.UTF_8), RECEIVED);
    }

    private static String withValue(String value) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"waba\",\"changes\":[{\"field\":\"messages\",\"value\":"
                + value + "}]}]}";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[]                                                                  | the body is a JSON array, not an object",
            "{\"entry\":[]}                                                      | object is not whatsapp_business_account",
            "{\"object\":\"page\",\"entry\":[]}                                  | object is not whatsapp_business_account",
            "{\"object\":\"whatsapp_business_account\"}                          | entry is missing",
            "{\"object\":\"whatsapp_business_account\",\"entry\":{}}             | entry is not an array",
            "{\"object\":\"whatsapp_business_account\",\"entry\":[1]}            | entry[0] is not an object",
            "{\"object\":\"whatsapp_business_account\",\"entry\":[{}]}           | entry[0].changes is missing",
            "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{}]}]} | entry[0].changes[0].field is missing",
            "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"field\":\"messages\"}]}]} | entry[0].changes[0].value is missing",
            "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":{\"messages\":{}}}]}]} | entry[0].changes[0].value.messages is not an array",
            "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":{\"statuses\":[\"x\"]}}]}]} | entry[0].changes[0].value.statuses[0] is not an object",
    })
    void bodyOutsideMetasEnvelopeIsAnUnknownShapeSayingWhere(String json, String detail) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(MalformedWebhookException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SHAPE);
                    assertThat(e.detail()).isEqualTo(detail);
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''",
            "'   '",
            "'{\"object\":\"whatsapp_business_account\"} trailing'",
            "'{\"object\": confidential-text}'",
    })
    void bodyThatIsNotJsonIsMalformedAndTheDetailNeverQuotesIt(String body) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOfSatisfying(MalformedWebhookException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.MALFORMED_JSON);
                    assertThat(e.detail()).doesNotContain("confidential").doesNotContain("trailing");
                });
    }

    @Test
    void changesOfOtherFieldsAreCountedAndNotRouted() throws Exception {
        ParsedWebhook parsed = parse("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"w\",\"changes\":["
                + "{\"field\":\"account_update\",\"value\":{\"event\":\"VERIFIED_ACCOUNT\"}},"
                + "{\"field\":\"message_template_status_update\",\"value\":[\"anything\"]}]}]}");

        assertThat(parsed.updates()).isEmpty();
        assertThat(parsed.ignoredChanges()).isEqualTo(2);
    }

    @Test
    void updateWithoutAnIdGetsADerivedIdThatIsTheSameOnEveryDelivery() throws Exception {
        String body = withValue("{\"metadata\":{\"phone_number_id\":\"p1\"},"
                + "\"messages\":[{\"from\":\"16505551234\",\"timestamp\":\"1749416383\",\"type\":\"text\",\"text\":{\"body\":\"a\"}}]}");

        InboundUpdate first = parse(body).updates().get(0);
        InboundUpdate again = parse(body).updates().get(0);
        InboundUpdate otherNumber = parse(body.replace("\"p1\"", "\"p2\"")).updates().get(0);

        assertThat(first.eventId()).startsWith("message:").hasSize("message:".length() + 32).isEqualTo(again.eventId());
        assertThat(otherNumber.eventId()).isNotEqualTo(first.eventId());
        assertThat(first.wamid()).isNull();
    }

    @Test
    void updateWithoutAUsableTimestampTakesTheTimeOfReceipt() throws Exception {
        ParsedWebhook parsed = parse(withValue("{\"messages\":["
                + "{\"from\":\"1\",\"id\":\"w1\",\"type\":\"text\"},"
                + "{\"from\":\"1\",\"id\":\"w2\",\"timestamp\":\"yesterday\",\"type\":\"text\"},"
                + "{\"from\":\"1\",\"id\":\"w3\",\"timestamp\":1749416383,\"type\":\"text\"}]}"));

        assertThat(parsed.updates()).extracting(InboundUpdate::eventTime)
                .containsExactly(RECEIVED, RECEIVED, Instant.ofEpochSecond(1749416383));
    }

    @Test
    void messageWithoutATypeIsStillRoutedAsUnknown() throws Exception {
        InboundUpdate update = parse(withValue("{\"messages\":[{\"from\":\"1\",\"id\":\"w1\"}]}")).updates().get(0);

        assertThat(update.messageType()).isEqualTo("unknown");
        assertThat(update.kind()).isEqualTo(InboundUpdate.KIND_MESSAGE);
    }

    @Test
    void statusToAUsernameUserIsKeyedByTheRecipientsBusinessScopedId() throws Exception {
        InboundUpdate update = parse(withValue("{\"statuses\":[{\"id\":\"wamid.1\",\"status\":\"delivered\","
                + "\"timestamp\":\"1750857384\",\"recipient_user_id\":\"US.134912\"}]}")).updates().get(0);

        assertThat(update.userId()).isEqualTo("US.134912");
        assertThat(update.key()).isEqualTo("US.134912");
        assertThat(update.waId()).isNull();
        assertThat(update.eventId()).isEqualTo("wamid.1:delivered");
    }

    @Test
    void contactIsMatchedToItsOwnMessageInAValueWithSeveralUsers() throws Exception {
        ParsedWebhook parsed = parse(withValue("{\"contacts\":["
                + "{\"wa_id\":\"111\",\"user_id\":\"US.1\"},{\"wa_id\":\"222\",\"user_id\":\"US.2\"}],"
                + "\"messages\":[{\"from\":\"222\",\"id\":\"a\",\"type\":\"text\"},{\"from\":\"111\",\"id\":\"b\",\"type\":\"text\"},"
                + "{\"from\":\"333\",\"id\":\"c\",\"type\":\"text\"}]}"));

        assertThat(parsed.updates()).extracting(InboundUpdate::userId).containsExactly("US.2", "US.1", "333");
        assertThat(parsed.updates().get(2).contact()).isNull();
    }

    @Test
    void errorIsKeyedByTheBusinessNumberAndCarriesItsCode() throws Exception {
        InboundUpdate update = parse(withValue("{\"metadata\":{\"phone_number_id\":\"106540352242922\"},"
                + "\"errors\":[{\"code\":130429,\"title\":\"Rate limit hit\"}]}")).updates().get(0);

        assertThat(update.kind()).isEqualTo(InboundUpdate.KIND_ERROR);
        assertThat(update.messageType()).isEqualTo("130429");
        assertThat(update.userId()).isNull();
        assertThat(update.key()).isEqualTo("106540352242922");
        assertThat(update.eventTime()).isEqualTo(RECEIVED);
    }
}
