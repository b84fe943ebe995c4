package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.simulator.support.TestKeys;
import org.junit.jupiter.api.Test;

import javax.crypto.AEADBadTagException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowCipherTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final FlowCipher cipher = new FlowCipher(MetaSideCrypto.KEYS.getPublic());

    @Test
    void requestOpensWithThePrivateKeyAsTheEndpointDecryptsIt() throws Exception {
        String payload = "{\"version\":\"3.0\",\"action\":\"INIT\",\"flow_token\":\"t\"}";
        FlowCipher.Sealed sealed = cipher.seal(payload.getBytes(StandardCharsets.UTF_8));

        JsonNode envelope = JSON.readTree(sealed.envelope());
        assertThat(envelope.size()).isEqualTo(3);
        MetaSideCrypto.Opened opened = MetaSideCrypto.open(envelope.get("encrypted_aes_key").asText(),
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
        FlowCipher.Sealed first = cipher.seal(new byte[]{1});
        FlowCipher.Sealed second = cipher.seal(new byte[]{1});

        assertThat(first.aesKey()).isNotEqualTo(second.aesKey());
        assertThat(first.iv()).isNotEqualTo(second.iv());
    }

    @Test
    void answerSealedWithTheFlippedIvOpens() throws Exception {
        FlowCipher.Sealed sealed = cipher.seal("{}".getBytes(StandardCharsets.UTF_8));
        MetaSideCrypto.Opened opened = new MetaSideCrypto.Opened(sealed.aesKey(), sealed.iv(), "{}");

        String answer = MetaSideCrypto.seal(opened, "{\"screen\":\"WELCOME\",\"data\":{}}");

        assertThat(FlowCipher.open(sealed, answer)).isEqualTo("{\"screen\":\"WELCOME\",\"data\":{}}");
    }

    @Test
    void answerSealedWithTheRequestIvIsRefused() throws Exception {
        FlowCipher.Sealed sealed = cipher.seal("{}".getBytes(StandardCharsets.UTF_8));

        String answer = MetaSideCrypto.sealWithIv(sealed.aesKey(), sealed.iv(), "{\"screen\":\"WELCOME\"}");

        assertThatThrownBy(() -> FlowCipher.open(sealed, answer)).isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void publicKeyIsReadFromSpkiPemAndOtherFilesAreRefusedByName() {
        String pem = TestKeys.pem("PUBLIC KEY", MetaSideCrypto.KEYS.getPublic().getEncoded());

        assertThat(BusinessPublicKey.parse(pem, "public.pem")).isEqualTo(MetaSideCrypto.KEYS.getPublic());
        assertThatThrownBy(() -> BusinessPublicKey.parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "private.pem"))
                .hasMessageContaining("private.pem").hasMessageContaining("SPKI");
        assertThatThrownBy(() -> BusinessPublicKey.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "bad.pem"))
                .hasMessageContaining("bad.pem");
    }
}
