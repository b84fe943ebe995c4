package io.flowgate.simulator.flow;

import io.flowgate.simulator.support.TestKeys;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.spec.MGF1ParameterSpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The business endpoint's side of the protocol, written in the test from reference §1.2 and §1.7 with
 * none of the simulator's code: unwrap the AES key with the private key, open the request, seal an
 * answer with the bit-flipped IV, compute the expected signature. It checks the simulator's client
 * independently.
 */
final class MetaSideCrypto {

    static final KeyPair KEYS = TestKeys.generate();

    record Opened(byte[] aesKey, byte[] iv, String plaintext) {
    }

    static Opened open(String encryptedAesKey, String encryptedFlowData, String initialVector) throws Exception {
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        rsa.init(Cipher.DECRYPT_MODE, KEYS.getPrivate(), new OAEPParameterSpec("SHA-256", "MGF1",
                MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
        byte[] aesKey = rsa.doFinal(Base64.getDecoder().decode(encryptedAesKey));
        byte[] iv = Base64.getDecoder().decode(initialVector);
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, iv));
        return new Opened(aesKey, iv, new String(aes.doFinal(Base64.getDecoder().decode(encryptedFlowData)), StandardCharsets.UTF_8));
    }

    /** An answer as the endpoint seals it: same key, every IV bit inverted, base64 of ciphertext and tag. */
    static String seal(Opened request, String json) throws Exception {
        byte[] flipped = new byte[request.iv().length];
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = (byte) ~request.iv()[i];
        }
        return sealWithIv(request.aesKey(), flipped, json);
    }

    static String sealWithIv(byte[] aesKey, byte[] iv, String json) throws Exception {
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, iv));
        return Base64.getEncoder().encodeToString(aes.doFinal(json.getBytes(StandardCharsets.UTF_8)));
    }

    static String signature(byte[] body, String secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }
}
