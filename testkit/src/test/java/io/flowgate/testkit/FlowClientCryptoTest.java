package io.flowgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import javax.crypto.AEADBadTagException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's crypto against the endpoint side written separately from the protocol text. */
class FlowClientCryptoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KeyPair KEYS = TestKeys.generate();

    @Test
    void requestOpensWithThePrivateKeyAsTheEndpointDecryptsIt() throws Exception {
        String payload = "{\"version\":\"3.0\",\"action\":\"INIT\",\"flow_token\":\"t\"}";
        FlowClientCrypto.Envelope sealed = new FlowClientCrypto().seal(KEYS.getPublic(), payload.getBytes(StandardCharsets.UTF_8));

        JsonNode envelope = JSON.readTree(sealed.json());
        assertThat(envelope.size()).isEqualTo(3);
        EndpointSideCrypto.Opened opened = EndpointSideCrypto.open(KEYS.getPrivate(), envelope.get("encrypted_aes_key").asText(),
                envelope.get("encrypted_flow_data").asText(), envelope.get("initial_vector").asText());

        assertThat(opened.plaintext()).isEqualTo(payload);
        assertThat(opened.aesKey()).hasSize(16);
        assertThat(opened.iv()).hasSize(16);
        assertThat(Base64.getDecoder().decode(envelope.get("encrypted_aes_key").asText())).hasSize(256);
        // ciphertext and the 16-byte tag
        assertThat(Base64.getDecoder().decode(envelope.get("encrypted_flow_data").asText())).hasSize(payload.length() + 16);
    }

    @Test
    void everyRequestGetsAFreshKeyAndIv() {
        FlowClientCrypto first = new FlowClientCrypto();
        FlowClientCrypto second = new FlowClientCrypto();

        assertThat(first.aesKey).isNotEqualTo(second.aesKey);
        assertThat(first.iv).isNotEqualTo(second.iv);
    }

    @Test
    void aChosenKeyAndIvAreTheOnesSent() throws Exception {
        byte[] key = new byte[32];
        byte[] iv = new byte[12];
        FlowClientCrypto.Envelope sealed = new FlowClientCrypto(key, iv).seal(KEYS.getPublic(), "{}".getBytes(StandardCharsets.UTF_8));

        EndpointSideCrypto.Opened opened = EndpointSideCrypto.open(KEYS.getPrivate(), sealed.encryptedAesKey(),
                sealed.encryptedFlowData(), sealed.initialVector());
        assertThat(opened.aesKey()).isEqualTo(key);
        assertThat(opened.iv()).isEqualTo(iv);
    }

    @Test
    void answerSealedWithTheFlippedIvOpens() throws Exception {
        FlowClientCrypto client = new FlowClientCrypto();
        EndpointSideCrypto.Opened opened = new EndpointSideCrypto.Opened(client.aesKey, client.iv, "{}");

        String answer = EndpointSideCrypto.seal(opened, "{\"screen\":\"WELCOME\",\"data\":{}}");

        assertThat(client.openResponseText(answer + "\n")).isEqualTo("{\"screen\":\"WELCOME\",\"data\":{}}");
        assertThatThrownBy(() -> client.openResponseWithTheRequestIv(answer)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void answerSealedWithTheRequestIvIsRefused() throws Exception {
        FlowClientCrypto client = new FlowClientCrypto();

        String answer = EndpointSideCrypto.sealWithIv(client.aesKey, client.iv, "{\"screen\":\"WELCOME\"}");

        assertThatThrownBy(() -> client.openResponse(answer)).isInstanceOf(AEADBadTagException.class);
        assertThat(new String(client.openResponseWithTheRequestIv(answer), StandardCharsets.UTF_8)).isEqualTo("{\"screen\":\"WELCOME\"}");
    }

    @Test
    void theFlippedIvHasEveryBitInverted() {
        assertThat(FlowClientCrypto.flipped(new byte[]{0, (byte) 0xFF, 0x0F})).containsExactly((byte) 0xFF, 0, (byte) 0xF0);
    }
}
