package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throws malformed envelopes, truncated and bit-flipped ciphertexts, hostile payloads and random bytes
 * at the endpoint: none may produce a 500 (or a 200 it should not), and the session never moves.
 */
class MalformedInputFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 20261122L;
    private static RoutingApiInstance app;
    private static WhatsAppFlowClient client;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.shared();
        client = app.client();
        app.uploadFlow("fuzz", "linear.json");
    }

    @Test
    void malformedInputNeverCausesA500OrMovesTheSession() throws Exception {
        JsonNode minted = app.mint("15550001212", "fuzz", null);
        String token = minted.path("flow_token").asText();
        client.send(payload("INIT", "", token));
        JsonNode before = app.session(minted.path("session_id").asText());

        Random random = new Random(SEED);
        ObjectNode exchange = payload("data_exchange", "WELCOME", token);
        exchange.with("data").put("name", "Ana");
        for (int i = 0; i < 60; i++) {
            WhatsAppFlowClient.Sealed good = client.seal(exchange);
            ObjectNode envelope = (ObjectNode) JSON.readTree(good.body());
            byte[] body = mutate(envelope, random, i);
            int status = client.postRaw(body, client.signature(body)).statusCode();
            assertThat(status).as("mutation %d", i).isIn(400, 413, 421);
        }
        for (int i = 0; i < 40; i++) {
            byte[] noise = new byte[random.nextInt(4096)];
            random.nextBytes(noise);
            assertThat(client.postRaw(noise, client.signature(noise)).statusCode()).isIn(400, 421);
            assertThat(client.postRaw(noise, null).statusCode()).isEqualTo(432);
        }
        // well-encrypted but hostile payloads: wrong types everywhere
        for (String hostile : new String[]{"{}", "{\"action\":null}", "{\"action\":42,\"flow_token\":{}}", "[]", "null",
                "{\"action\":\"data_exchange\",\"flow_token\":\"" + token + "x\",\"screen\":[],\"data\":\"str\"}",
                "{\"action\":\"BACK\",\"flow_token\":[\"" + token + "\"]}",
                "{\"action\":\"data_exchange\",\"flow_token\":\"" + "y".repeat(100_000) + "\"}"}) {
            int status = client.post(client.seal(JSON.readTree(hostile))).status();
            assertThat(status).as(hostile.length() > 80 ? hostile.substring(0, 80) : hostile).isIn(421, 427);
        }
        JsonNode after = app.session(minted.path("session_id").asText());
        assertThat(after.path("transitions")).isEqualTo(before.path("transitions"));
        assertThat(after.path("current_screen")).isEqualTo(before.path("current_screen"));
        assertThat(after.path("user_data")).isEqualTo(before.path("user_data"));
    }

    private static byte[] mutate(ObjectNode envelope, Random random, int i) {
        String[] fields = {"encrypted_flow_data", "encrypted_aes_key", "initial_vector"};
        String field = fields[i % 3];
        String value = envelope.path(field).asText();
        byte[] raw = Base64.getDecoder().decode(value);
        switch (i % 5) {
            case 0 -> envelope.put(field, Base64.getEncoder().encodeToString(Arrays.copyOf(raw, random.nextInt(raw.length))));
            case 1 -> {
                raw[random.nextInt(raw.length)] ^= (byte) (1 << random.nextInt(8));
                envelope.put(field, Base64.getEncoder().encodeToString(raw));
            }
            case 2 -> envelope.put(field, value.substring(0, Math.max(1, value.length() - 3)) + "*");
            case 3 -> envelope.remove(field);
            default -> {
                byte[] junk = new byte[raw.length];
                random.nextBytes(junk);
                envelope.put(field, Base64.getEncoder().encodeToString(junk));
            }
        }
        return envelope.toString().getBytes(StandardCharsets.UTF_8);
    }
}
