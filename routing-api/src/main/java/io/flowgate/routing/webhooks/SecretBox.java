package io.flowgate.routing.webhooks;

import org.springframework.stereotype.Component;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Encrypts the subscriptions' signing secrets at rest (AES-256-GCM, a random 12-byte nonce per secret,
 * stored in front of the ciphertext). Flowgate must sign with the secret, so it cannot be hashed; a copy of
 * the database without {@code FLOWGATE_WEBHOOK_SECRET_KEY} does not reveal it.
 */
@Component
class SecretBox {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD = "flowgate-webhook-secret-v1".getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    SecretBox(WebhookProperties properties) {
        this.key = properties.hasSecretKey() ? key(properties.secretKey()) : null;
    }

    static SecretKeySpec key(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("flowgate.webhooks.secret-key (FLOWGATE_WEBHOOK_SECRET_KEY) is not base64");
        }
        if (bytes.length != 32) {
            throw new IllegalArgumentException("flowgate.webhooks.secret-key (FLOWGATE_WEBHOOK_SECRET_KEY) must be 32 bytes"
                    + " in base64 (openssl rand -base64 32), was " + bytes.length + " bytes");
        }
        return new SecretKeySpec(bytes, "AES");
    }

    boolean configured() {
        return key != null;
    }

    byte[] encrypt(String secret) {
        requireKey();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(AAD);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    String decrypt(byte[] box) {
        requireKey();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, Arrays.copyOf(box, NONCE_BYTES)));
            cipher.updateAAD(AAD);
            return new String(cipher.doFinal(box, NONCE_BYTES, box.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // the message of a failed tag check says nothing useful, and the secret is never logged
            throw new IllegalStateException("a webhook secret cannot be decrypted with FLOWGATE_WEBHOOK_SECRET_KEY (was the key changed?)");
        }
    }

    private void requireKey() {
        if (key == null) {
            throw new IllegalStateException("FLOWGATE_WEBHOOK_SECRET_KEY is not set");
        }
    }
}
