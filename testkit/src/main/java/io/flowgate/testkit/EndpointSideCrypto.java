package io.flowgate.testkit;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;

/**
 * The business endpoint's side of the protocol, written from reference §1.2 with the JDK alone, for
 * tests of a Flow client (the simulator's, {@link FlowClientCrypto}) that must not lean on routing-api's
 * code: unwrap the AES key with the private key, open the request, seal an answer with the bit-flipped IV.
 */
public final class EndpointSideCrypto {

    private EndpointSideCrypto() {
    }

    /** An opened request: its AES key and IV, and the payload. */
    public record Opened(byte[] aesKey, byte[] iv, String plaintext) {
    }

    public static Opened open(PrivateKey businessKey, String encryptedAesKey, String encryptedFlowData, String initialVector)
            throws GeneralSecurityException {
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        rsa.init(Cipher.DECRYPT_MODE, businessKey, new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        byte[] aesKey = rsa.doFinal(Base64.getDecoder().decode(encryptedAesKey));
        byte[] iv = Base64.getDecoder().decode(initialVector);
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, iv));
        return new Opened(aesKey, iv, new String(aes.doFinal(Base64.getDecoder().decode(encryptedFlowData)), StandardCharsets.UTF_8));
    }

    /** An answer as the endpoint seals it: same key, every IV bit inverted, base64 of ciphertext and tag. */
    public static String seal(Opened request, String json) throws GeneralSecurityException {
        byte[] inverted = new byte[request.iv().length];
        for (int i = 0; i < inverted.length; i++) {
            inverted[i] = (byte) (request.iv()[i] ^ 0xFF);
        }
        return sealWithIv(request.aesKey(), inverted, json);
    }

    /** An answer sealed with any key and IV (a wrong one, to see the client refuse it). */
    public static String sealWithIv(byte[] aesKey, byte[] iv, String json) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, iv));
        return Base64.getEncoder().encodeToString(aes.doFinal(json.getBytes(StandardCharsets.UTF_8)));
    }
}
