package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.flowgate.testkit.TestKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/** Every action and every status code of the Flow endpoint, over HTTP, as a WhatsApp client sees them. */
class FlowEndpointProtocolTest {

    private static RoutingApiInstance app;
    private static WhatsAppFlowClient client;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.shared();
        client = app.client();
        app.uploadFlow("protocol-linear", "linear.json");
        app.uploadFlow("protocol-appointment", "appointment.json");
    }

    private static String token(String flowId) {
        return app.mint("15550001111", flowId, "\"data\":{\"greeting\":\"Hi Ana\"}").path("flow_token").asText();
    }

    private static ObjectNode exchange(String screen, String token, String field, String value) {
        ObjectNode p = payload("data_exchange", screen, token);
        p.with("data").put(field, value);
        return p;
    }

    @Test
    void pingAnswersActiveEncryptedWithTheFlippedIv() {
        var answer = client.send(payload("ping", null, null));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("data").path("status").asText()).isEqualTo("active");
        assertThat(answer.json().path("version").asText()).isEqualTo("3.0");
    }

    @Test
    void dataApiVersionFourIsEchoed() {
        ObjectNode ping = payload("ping", null, null);
        ping.put("version", "4.0");
        assertThat(client.send(ping).json().path("version").asText()).isEqualTo("4.0");
    }

    @Test
    void missingOrWrongSignatureIs432BeforeAnyDecryption() {
        var sealed = client.seal(payload("ping", null, null));
        assertThat(client.post(sealed, null).status()).isEqualTo(432);
        assertThat(client.post(sealed, "sha256=" + "0".repeat(64)).status()).isEqualTo(432);
        assertThat(client.post(sealed, "garbage").status()).isEqualTo(432);
        var other = new WhatsAppFlowClient(app.uri("/flows/endpoint"), app.keys().getPublic(), "another-secret");
        var answer = other.send(payload("ping", null, null));
        assertThat(answer.status()).isEqualTo(432);
        assertThat(answer.rawBody()).isEmpty();
    }

    @Test
    void bodyThatIsNotTheEnvelopeIs400() {
        for (String body : new String[]{"", "not json", "[]", "{}", "{\"encrypted_flow_data\":1,\"encrypted_aes_key\":\"a\",\"initial_vector\":\"b\"}",
                "{\"encrypted_aes_key\":\"a\",\"initial_vector\":\"b\"}"}) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            assertThat(client.postRaw(bytes, client.signature(bytes)).statusCode()).as(body).isEqualTo(400);
        }
    }

    @Test
    void anythingThatCannotBeDecryptedIs421() {
        var good = client.seal(payload("ping", null, null));
        var foreignKey = new WhatsAppFlowClient(app.uri("/flows/endpoint"), TestKeys.generate().getPublic(), RoutingApiInstance.APP_SECRET);
        assertThat(foreignKey.send(payload("ping", null, null)).status()).isEqualTo(421);
        assertThat(postEnvelope("!!notbase64!!", field(good, "encrypted_aes_key"), field(good, "initial_vector"))).isEqualTo(421);
        assertThat(postEnvelope(field(good, "encrypted_flow_data"), field(good, "encrypted_aes_key"),
                Base64.getEncoder().encodeToString(new byte[12]))).isEqualTo(421);
        byte[] tampered = Base64.getDecoder().decode(field(good, "encrypted_flow_data"));
        tampered[tampered.length - 1] ^= 1;
        assertThat(postEnvelope(Base64.getEncoder().encodeToString(tampered), field(good, "encrypted_aes_key"),
                field(good, "initial_vector"))).isEqualTo(421);
        assertThat(postEnvelope("", "", "")).isEqualTo(421);
    }

    @Test
    void decryptedPayloadThatIsNotJsonIs421() throws Exception {
        var sealed = client.seal(new com.fasterxml.jackson.databind.node.TextNode("just a string"));
        assertThat(client.post(sealed).status()).isEqualTo(421);
    }

    @Test
    void errorNotificationIsAcknowledged() {
        ObjectNode p = payload("data_exchange", "DETAILS", token("protocol-linear"));
        p.with("data").put("error", "invalid-screen-transition").put("error_message", "bad route");
        var answer = client.send(p);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("data").path("acknowledged").asBoolean()).isTrue();
        ObjectNode legacy = payload("INIT", null, "whatever");
        legacy.with("data").put("error_key", "payload-schema-error");
        assertThat(client.send(legacy).json().path("data").path("acknowledged").asBoolean()).isTrue();
    }

    @Test
    void unknownOrMissingTokenIs427WithAnEncryptedMessage() {
        for (String token : new String[]{"not-a-token", null, ""}) {
            var answer = client.send(payload("INIT", null, token));
            assertThat(answer.status()).isEqualTo(427);
            assertThat(answer.json().path("error_msg").asText()).isNotBlank();
        }
    }

    @Test
    void journeyFromInitToSuccessThenTheTokenIsDead() {
        String token = token("protocol-linear");
        var init = client.send(payload("INIT", "", token));
        assertThat(init.status()).isEqualTo(200);
        assertThat(init.screen()).isEqualTo("WELCOME");
        assertThat(init.data().path("greeting").asText()).isEqualTo("Hi Ana");

        var details = client.send(exchange("WELCOME", token, "name", "Ana"));
        assertThat(details.screen()).isEqualTo("DETAILS");
        assertThat(details.data().path("name").asText()).isEqualTo("Ana");

        var confirm = client.send(exchange("DETAILS", token, "budget", "7000"));
        assertThat(confirm.screen()).isEqualTo("CONFIRM");
        assertThat(confirm.data().path("budget").asText()).isEqualTo("7000");

        var done = client.send(payload("data_exchange", "CONFIRM", token));
        assertThat(done.screen()).isEqualTo("SUCCESS");
        assertThat(done.json().at("/data/extension_message_response/params/flow_token").asText()).isEqualTo(token);

        var after = client.send(payload("INIT", "", token));
        assertThat(after.status()).isEqualTo(427);
    }

    @Test
    void backReturnsToThePreviousScreenWithItsData() {
        String token = token("protocol-linear");
        client.send(payload("INIT", "", token));
        client.send(exchange("WELCOME", token, "name", "Ana"));
        var back = client.send(payload("BACK", "DETAILS", token));
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.screen()).isEqualTo("WELCOME");
        assertThat(back.data().path("greeting").asText()).isEqualTo("Hi Ana");
    }

    @Test
    void screenWithSeveralRoutesAndNoRuleStaysWithAnErrorMessage() {
        String token = token("protocol-appointment");
        client.send(payload("INIT", "", token));
        client.send(exchange("WELCOME", token, "name", "Ana"));
        var stuck = client.send(exchange("DETAILS", token, "model", "X1"));
        assertThat(stuck.status()).isEqualTo(200);
        assertThat(stuck.screen()).isEqualTo("DETAILS");
        assertThat(stuck.data().path("error_message").asText()).isNotBlank();
    }

    @Test
    void requestFromAnEarlierScreenRewindsTheSession() {
        String token = token("protocol-linear");
        client.send(payload("INIT", "", token));
        client.send(exchange("WELCOME", token, "name", "Ana"));
        // the user went back on the phone without the endpoint hearing of it, and submits WELCOME again
        var again = client.send(exchange("WELCOME", token, "name", "Bea"));
        assertThat(again.screen()).isEqualTo("DETAILS");
        assertThat(again.data().path("name").asText()).isEqualTo("Bea");
    }

    @Test
    void requestFromAScreenTheSessionCannotBeOnIsAnsweredWithoutMovingIt() {
        JsonNode minted = app.mint("15550002222", "protocol-appointment", null);
        String token = minted.path("flow_token").asText();
        client.send(payload("INIT", "", token));
        client.send(exchange("WELCOME", token, "name", "Ana"));
        // SCHEDULE is reachable from DETAILS by client-side navigation: accepted
        assertThat(client.send(exchange("SCHEDULE", token, "slot", "s1")).screen()).isEqualTo("CONFIRM");
        // NOTIFY_ME was never shown and cannot be reached from CONFIRM
        var mismatch = client.send(payload("data_exchange", "NOTIFY_ME", token));
        assertThat(mismatch.status()).isEqualTo(200);
        assertThat(mismatch.screen()).isEqualTo("NOTIFY_ME");
        assertThat(mismatch.data().path("error_message").asText()).isNotBlank();
        JsonNode session = app.session(minted.path("session_id").asText());
        assertThat(session.path("current_screen").asText()).isEqualTo("CONFIRM");
        assertThat(session.path("status").asText()).isEqualTo("active");
    }

    @Test
    void unknownActionGetsACleanAnswer() {
        String token = token("protocol-linear");
        client.send(payload("INIT", "", token));
        var answer = client.send(payload("navigate", "WELCOME", token));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.screen()).isEqualTo("WELCOME");
    }

    @Test
    void screenUnknownToTheFlowRefusesTheToken() {
        String token = token("protocol-linear");
        client.send(payload("INIT", "", token));
        assertThat(client.send(payload("data_exchange", "NO_SUCH_SCREEN", token)).status()).isEqualTo(427);
    }

    @Test
    void expiredTokenIs427() throws Exception {
        String token = app.mint("15550003333", "protocol-linear", "\"ttl_seconds\":1").path("flow_token").asText();
        Thread.sleep(1_200);
        assertThat(client.send(payload("INIT", "", token)).status()).isEqualTo(427);
    }

    @Test
    void oversizedBodyIs413() {
        byte[] big = new byte[1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) 'a');
        assertThat(client.postRaw(big, client.signature(big)).statusCode()).isEqualTo(413);
    }

    private static String field(WhatsAppFlowClient.Sealed sealed, String name) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(sealed.body()).path(name).asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int postEnvelope(String data, String key, String iv) {
        String body = "{\"encrypted_flow_data\":\"" + data + "\",\"encrypted_aes_key\":\"" + key + "\",\"initial_vector\":\"" + iv + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return client.postRaw(bytes, client.signature(bytes)).statusCode();
    }
}
