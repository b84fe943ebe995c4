package io.flowgate.meta;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class MetaSignatureTest {

    private static final byte[] BODY = "{\"object\":\"whatsapp_business_account\"}".getBytes(StandardCharsets.UTF_8);

    private static String independentSignature(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void acceptsTheSignatureMetaComputesOverTheRawBytes() throws Exception {
        var signature = new MetaSignature("app-secret", null);
        assertThat(signature.verify(BODY, independentSignature("app-secret", BODY))).isTrue();
        assertThat(signature.verify(BODY, independentSignature("app-secret", BODY).toUpperCase().replace("SHA256=", "sha256="))).isTrue();
        assertThat(MetaSignature.sign(BODY, "app-secret")).isEqualTo(independentSignature("app-secret", BODY));
    }

    @Test
    void refusesAnyOtherBodySecretOrHeaderShape() throws Exception {
        var signature = new MetaSignature("app-secret", null);
        String good = independentSignature("app-secret", BODY);
        byte[] reserialized = "{ \"object\": \"whatsapp_business_account\" }".getBytes(StandardCharsets.UTF_8);
        assertThat(signature.verify(reserialized, good)).isFalse();
        assertThat(signature.verify(BODY, independentSignature("other", BODY))).isFalse();
        assertThat(signature.verify(BODY, null)).isFalse();
        assertThat(signature.verify(BODY, "")).isFalse();
        assertThat(signature.verify(BODY, good.substring(7))).isFalse();
        assertThat(signature.verify(BODY, "sha1=" + good.substring(7))).isFalse();
        assertThat(signature.verify(BODY, good.substring(0, good.length() - 2))).isFalse();
        assertThat(signature.verify(BODY, good.substring(0, good.length() - 1) + "z")).isFalse();
    }

    @Test
    void acceptsThePreviousSecretDuringARotation() throws Exception {
        var signature = new MetaSignature("new-secret", "old-secret");
        assertThat(signature.verify(BODY, independentSignature("old-secret", BODY))).isTrue();
        assertThat(signature.verify(BODY, independentSignature("new-secret", BODY))).isTrue();
        assertThat(signature.verify(BODY, independentSignature("third", BODY))).isFalse();
    }

    @Test
    void withoutASecretNothingVerifies() throws Exception {
        var signature = new MetaSignature(null, " ");
        assertThat(signature.isConfigured()).isFalse();
        assertThat(signature.verify(BODY, independentSignature("x", BODY))).isFalse();
    }
}
