package io.flowgate.simulator.flow;

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
 * The WhatsApp client's half of the Flow endpoint encryption, written from the protocol description
 * (reference §1.2) with the JDK only: every request gets a fresh AES-128 key and 16-byte IV, the key is
 * wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256) under the business public key, the payload is sealed
 * with AES-GCM (tag appended); the answer is opened with the same key and the bit-flipped IV.
 */
final class FlowCipher {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int GCM_TAG_BITS = 128;
    // explicit: the JDK's default for this transformation is MGF1 with SHA-1, which Meta does not use
    private static final OAEPParameterSpec OAEP = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT);

    private final PublicKey businessKey;

    FlowCipher(PublicKey businessKey) {
        this.businessKey = businessKey;
    }

    /** One encrypted request: the three envelope fields, and the key and IV kept to read its answer. */
    record Sealed(byte[] aesKey, byte[] iv, byte[] encryptedAesKey, byte[] encryptedFlowData) {

        /** The request body: exactly the three base64 string fields of reference §1.1. */
        String envelope() {
            Base64.Encoder b64 = Base64.getEncoder();
            return "{\"encrypted_flow_data\":\"" + b64.encodeToString(encryptedFlowData)
                    + "\",\"encrypted_aes_key\":\"" + b64.encodeToString(encryptedAesKey)
                    + "\",\"initial_vector\":\"" + b64.encodeToString(iv) + "\"}";
        }
    }

    Sealed seal(byte[] plaintext) {
        byte[] aesKey = new byte[16];
        byte[] iv = new byte[16];
        RANDOM.nextBytes(aesKey);
        RANDOM.nextBytes(iv);
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.ENCRYPT_MODE, businessKey, OAEP);
            byte[] wrappedKey = rsa.doFinal(aesKey);
            // a new Cipher per request: the JCE refuses to reuse a key and IV on one GCM instance
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(GCM_TAG_BITS, iv));
            return new Sealed(aesKey, iv, wrappedKey, aes.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot encrypt a Flow request: " + e, e);
        }
    }

    /**
     * The plaintext of an answer to {@code request}: base64 of AES-GCM ciphertext and tag under the
     * request's key and its bit-flipped IV.
     *
     * @throws GeneralSecurityException when the answer was not sealed with that key and IV
     * @throws IllegalArgumentException when the answer is not base64
     */
    static String open(Sealed request, String base64Answer) throws GeneralSecurityException {
        byte[] blob = Base64.getDecoder().decode(base64Answer.trim());
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(request.aesKey(), "AES"),
                new GCMParameterSpec(GCM_TAG_BITS, flipped(request.iv())));
        return new String(aes.doFinal(blob), StandardCharsets.UTF_8);
    }

    static byte[] flipped(byte[] iv) {
        byte[] out = new byte[iv.length];
        for (int i = 0; i < iv.length; i++) {
            out[i] = (byte) (iv[i] ^ 0xFF);
        }
        return out;
    }
}
