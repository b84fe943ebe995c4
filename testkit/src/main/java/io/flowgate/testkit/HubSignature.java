package io.flowgate.testkit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * {@code X-Hub-Signature-256} as Meta computes it for both the Flow endpoint and the webhook
 * (reference §1.7, §2.2): {@code sha256=} and the hex HMAC-SHA256 of the exact body bytes under the app
 * secret. Written here, not taken from the services' {@code MetaSignature}, so tests do not check it against itself.
 */
public final class HubSignature {

    private HubSignature() {
    }

    public static String of(byte[] body, String appSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
