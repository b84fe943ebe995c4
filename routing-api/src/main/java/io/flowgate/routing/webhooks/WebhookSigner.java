package io.flowgate.routing.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Signs deliveries the Standard Webhooks way (https://www.standardwebhooks.com, the scheme Svix uses):
 * {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}, where the key
 * is the base64 part of the {@code whsec_...} secret. docs/webhooks.md shows how receivers verify it.
 */
public final class WebhookSigner {

    public static final String PREFIX = "whsec_";
    static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSigner() {
    }

    /** A new secret: {@code whsec_} and 32 random bytes in base64. */
    static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** Null when {@code secret} is a usable secret, else what is wrong with it (never the secret itself). */
    static String problem(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return "secret: whsec_ followed by base64 (24 to 64 bytes); leave it out to have one generated";
        }
        try {
            int n = Base64.getDecoder().decode(secret.substring(PREFIX.length())).length;
            return n >= 24 && n <= 64 ? null : "secret: the base64 part must decode to 24 to 64 bytes";
        } catch (IllegalArgumentException e) {
            return "secret: the part after whsec_ is not base64";
        }
    }

    /** The {@code webhook-signature} header value for one attempt. */
    public static String sign(String secret, String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(PREFIX.length())), "HmacSHA256"));
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
