package io.flowgate.routing.flowendpoint;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;

/**
 * The WhatsApp client's side of the Flow endpoint encryption, written from the protocol text
 * (whatsapp-protocol.md §1.2) with the JDK alone, so that the tests never check FlowCrypto against
 * itself. One instance is one request: a fresh AES-128 key and 16-byte IV.
 */
public final class MetaClient {

    private static final SecureRandom RANDOM = new SecureRandom();

    public final byte[] aesKey;
    public final byte[] iv;

    /** The three base64 fields of the request body. */
    public record Envelope(String encryptedAesKey, String encryptedFlowData, String initialVector) {
    }

    public MetaClient() {
        this(random(16), random(16));
    }

    public MetaClient(byte[] aesKey, byte[] iv) {
        this.aesKey = aesKey;
        this.iv = iv;
    }

    /** The request body Meta would send for {@code payload} to the holder of {@code businessKey}. */
    public Envelope seal(PublicKey businessKey, byte[] payload) {
        return new Envelope(b64(rsaOaepSha256(businessKey, aesKey)), b64(gcm(Cipher.ENCRYPT_MODE, aesKey, iv, payload)), b64(iv));
    }

    /** What the client does with the endpoint's answer: the request key and the IV with every bit flipped. */
    public byte[] openResponse(String body) throws GeneralSecurityException {
        byte[] flipped = new byte[iv.length];
        for (int i = 0; i < iv.length; i++) {
            flipped[i] = (byte) ~iv[i];
        }
        return gcmOrThrow(Cipher.DECRYPT_MODE, aesKey, flipped, Base64.getDecoder().decode(body));
    }

    /** Opens a response as if the IV had not been flipped: must fail for a correct endpoint. */
    public byte[] openResponseWithTheRequestIv(String body) throws GeneralSecurityException {
        return gcmOrThrow(Cipher.DECRYPT_MODE, aesKey, iv, Base64.getDecoder().decode(body));
    }

    /** RSA/ECB/OAEPWithSHA-256AndMGF1Padding with the parameters spelled out, as Meta's Java sample does. */
    public static byte[] rsaOaepSha256(PublicKey key, byte[] secret) {
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
            rsa.init(Cipher.ENCRYPT_MODE, key,
                    new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
            return rsa.doFinal(secret);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("the test client cannot encrypt", e);
        }
    }

    public static byte[] gcm(int mode, byte[] key, byte[] iv, byte[] input) {
        try {
            return gcmOrThrow(mode, key, iv, input);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("the test client's AES-GCM failed", e);
        }
    }

    private static byte[] gcmOrThrow(int mode, byte[] key, byte[] iv, byte[] input) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        return aes.doFinal(input);
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
