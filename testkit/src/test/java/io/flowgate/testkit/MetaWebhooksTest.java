package io.flowgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class MetaWebhooksTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MetaWebhooks business = new MetaWebhooks("1111", "2222");

    @Test
    void aUsersMessagesAreOneChangeOfTheChosenBusinessWithAnyTextEscaped() throws Exception {
        String wamid = MetaWebhooks.wamid(new SplittableRandom(7));
        String text = "say \"hi\"\n\\ ok";

        JsonNode body = JSON.readTree(business.messages("15551234567", "Zoë \"Z\"", List.of(
                MetaWebhooks.text("15551234567", wamid, 1700000000L, text),
                MetaWebhooks.interactive("15551234567", wamid + "2", 1700000001L, "button_reply", "yes", "Yes"))));

        JsonNode change = body.at("/entry/0/changes/0");
        assertThat(body.path("object").asText()).isEqualTo("whatsapp_business_account");
        assertThat(body.at("/entry/0/id").asText()).isEqualTo("1111");
        assertThat(change.path("field").asText()).isEqualTo("messages");
        assertThat(change.at("/value/metadata/phone_number_id").asText()).isEqualTo("2222");
        assertThat(change.at("/value/contacts/0/profile/name").asText()).isEqualTo("Zoë \"Z\"");
        assertThat(change.at("/value/messages/0/id").asText()).isEqualTo(wamid).startsWith("wamid.HBgL");
        assertThat(change.at("/value/messages/0/timestamp").asText()).isEqualTo("1700000000");
        assertThat(change.at("/value/messages/0/text/body").asText()).isEqualTo(text);
        assertThat(change.at("/value/messages/1/interactive/button_reply/id").asText()).isEqualTo("yes");
    }

    @Test
    void aStatusUpdateNamesTheOutgoingMessage() throws Exception {
        JsonNode status = JSON.readTree(business.statusUpdate("15551234567", "wamid.out", "delivered", 1700000002L))
                .at("/entry/0/changes/0/value/statuses/0");

        assertThat(status.path("id").asText()).isEqualTo("wamid.out");
        assertThat(status.path("status").asText()).isEqualTo("delivered");
        assertThat(status.path("recipient_id").asText()).isEqualTo("15551234567");
        assertThat(status.path("timestamp").asText()).isEqualTo("1700000002");
    }

    @Test
    void theSignatureIsTheHexHmacSha256OfTheBody() {
        // the well-known HMAC-SHA256 of this text under "key"
        assertThat(HubSignature.of("The quick brown fox jumps over the lazy dog".getBytes(), "key"))
                .isEqualTo("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    }
}
