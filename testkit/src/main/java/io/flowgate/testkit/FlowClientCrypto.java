package io.flowgate.testkit;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;

/**
 * The WhatsApp client's half of the Flow endpoint encryption, written from the protocol text
 * (whatsapp-protocol.md §1.2) with the JDK alone, so that no test checks the endpoint's crypto against
 * itself. One instance is one request: an AES-128 key and a 16-byte IV (fresh, or chosen by the test);
 * the key is wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256) under the business public key, the payload is
 * sealed with AES-GCM (128-bit tag appended); the answer is opened with the same key and the IV with
 * every bit flipped.
 */
public final class FlowClientCrypto {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int GCM_TAG_BITS = 128;
    // explicit: the JDK's default for this transformation is MGF1 with SHA-1, which Meta does not use
    private static final OAEPParameterSpec OAEP = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT);

    public final byte[] aesKey;
    public final byte[] iv;

    /** The three base64 fields of the request body (reference §1.1). */
    public record Envelope(String encryptedAesKey, String encryptedFlowData, String initialVector) {

        /** The request body: exactly the three string fields, in the order Meta writes them. */
        public String json() {
            return "{\"encrypted_flow_data\":\"" + encryptedFlowData + "\",\"encrypted_aes_key\":\"" + encryptedAesKey
                    + "\",\"initial_vector\":\"" + initialVector + "\"}";
        }

        public byte[] body() {
            return json().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A request with a fresh random key and IV. */
    public FlowClientCrypto() {
        this(random(16), random(16));
    }

    /** A request with this key and IV (e.g. to send a key of the wrong length). */
    public FlowClientCrypto(byte[] aesKey, byte[] iv) {
        this.aesKey = aesKey;
        this.iv = iv;
    }

    /** The request body Meta would send for {@code payload} to the holder of {@code businessKey}. */
    public Envelope seal(PublicKey businessKey, byte[] payload) {
        return new Envelope(b64(rsaOaepSha256(businessKey, aesKey)), b64(gcm(Cipher.ENCRYPT_MODE, aesKey, iv, payload)), b64(iv));
    }

    /**
     * What the client does with the endpoint's answer (base64 of ciphertext and tag): opens it with the
     * request key and the flipped IV.
     *
     * @throws GeneralSecurityException when the answer was not sealed with that key and IV
     * @throws IllegalArgumentException when the answer is not base64
     */
    public byte[] openResponse(String body) throws GeneralSecurityException {
        return gcmOrThrow(Cipher.DECRYPT_MODE, aesKey, flipped(iv), Base64.getDecoder().decode(body.trim()));
    }

    /** {@link #openResponse} as UTF-8 text. */
    public String openResponseText(String body) throws GeneralSecurityException {
        return new String(openResponse(body), StandardCharsets.UTF_8);
    }

    /** Opens a response as if the IV had not been flipped: must fail for a correct endpoint. */
    public byte[] openResponseWithTheRequestIv(String body) throws GeneralSecurityException {
        return gcmOrThrow(Cipher.DECRYPT_MODE, aesKey, iv, Base64.getDecoder().decode(body.trim()));
    }

    /** RSA/ECB/OAEPWithSHA-256AndMGF1Padding with the parameters spelled out, as Meta's Java sample does. */
    public static byte[] rsaOaepSha256(PublicKey key, byte[] secret) {
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
            rsa.init(Cipher.ENCRYPT_MODE, key, OAEP);
            return rsa.doFinal(secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot encrypt a Flow request: " + e, e);
        }
    }

    /** AES-GCM with a 128-bit tag; a new Cipher each time (the JCE refuses to reuse a key and IV on one instance). */
    public static byte[] gcm(int mode, byte[] key, byte[] iv, byte[] input) {
        try {
            return gcmOrThrow(mode, key, iv, input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e, e);
        }
    }

    static byte[] gcmOrThrow(int mode, byte[] key, byte[] iv, byte[] input) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(GCM_TAG_BITS, iv));
        return aes.doFinal(input);
    }

    /** The IV of the answer: every bit of the request's IV inverted. */
    public static byte[] flipped(byte[] iv) {
        byte[] out = new byte[iv.length];
        for (int i = 0; i < iv.length; i++) {
            out[i] = (byte) ~iv[i];
        }
        return out;
    }

    public static byte[] random(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    public static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
