package io.flowgate.routing.testclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Plays the WhatsApp client and Meta's servers against the Flow endpoint, written from the protocol
 * description (reference §1.2, §1.7) with the JDK's own crypto and none of the server's code: a fresh
 * AES-128 key and 16-byte IV per request, the key wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256), the
 * payload sealed with AES-GCM (tag appended), the body signed with HMAC-SHA256 of the app secret; the
 * answer decrypted with the bit-flipped IV.
 */
public final class WhatsAppFlowClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;
    private final PublicKey publicKey;
    private final String appSecret;

    public WhatsAppFlowClient(URI endpoint, PublicKey publicKey, String appSecret) {
        this.endpoint = endpoint;
        this.publicKey = publicKey;
        this.appSecret = appSecret;
    }

    /** An encrypted request body and what the client keeps to read the answer. */
    public record Sealed(byte[] body, byte[] aesKey, byte[] iv) {
    }

    /** What the endpoint answered: status, raw body, and the decrypted JSON when there was one. */
    public record Answer(int status, String rawBody, JsonNode json) {
        public String screen() {
            return json == null ? null : json.path("screen").asText(null);
        }

        public JsonNode data() {
            return json == null ? null : json.path("data");
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public static ObjectNode payload(String action, String screen, String flowToken) {
        ObjectNode p = JSON.createObjectNode();
        p.put("version", "3.0");
        p.put("action", action);
        if (screen != null) {
            p.put("screen", screen);
        }
        p.putObject("data");
        if (flowToken != null) {
            p.put("flow_token", flowToken);
        }
        return p;
    }

    public Sealed seal(JsonNode payload) {
        try {
            return seal(JSON.writeValueAsBytes(payload));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encrypts a payload already written as JSON text (e.g. with escapes a serializer would not write). */
    public Sealed seal(byte[] payloadJson) {
        try {
            byte[] aesKey = new byte[16];
            byte[] iv = new byte[16];
            RANDOM.nextBytes(aesKey);
            RANDOM.nextBytes(iv);
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.ENCRYPT_MODE, publicKey, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                    PSource.PSpecified.DEFAULT));
            byte[] wrappedKey = rsa.doFinal(aesKey);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, iv));
            byte[] sealed = aes.doFinal(payloadJson);
            ObjectNode envelope = JSON.createObjectNode();
            envelope.put("encrypted_flow_data", Base64.getEncoder().encodeToString(sealed));
            envelope.put("encrypted_aes_key", Base64.getEncoder().encodeToString(wrappedKey));
            envelope.put("initial_vector", Base64.getEncoder().encodeToString(iv));
            return new Sealed(JSON.writeValueAsBytes(envelope), aesKey, iv);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encrypts, signs and posts a payload; decrypts the answer. */
    public Answer send(JsonNode payload) {
        return post(seal(payload));
    }

    public Answer post(Sealed sealed) {
        return post(sealed, signature(sealed.body()));
    }

    public Answer post(Sealed sealed, String signatureHeader) {
        HttpResponse<String> response = postRaw(sealed.body(), signatureHeader);
        return new Answer(response.statusCode(), response.body(), tryDecrypt(response.body(), sealed));
    }

    public HttpResponse<String> postRaw(byte[] body, String signatureHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signatureHeader != null) {
            request.header("X-Hub-Signature-256", signatureHeader);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("POST " + endpoint + " failed", e);
        }
    }

    public String signature(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decrypts an answer body with the request's key and the flipped IV; null if it is not such a body. */
    public static JsonNode tryDecrypt(String body, Sealed sealed) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        try {
            byte[] flipped = new byte[sealed.iv().length];
            for (int i = 0; i < flipped.length; i++) {
                flipped[i] = (byte) (sealed.iv()[i] ^ 0xFF);
            }
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(sealed.aesKey(), "AES"), new GCMParameterSpec(128, flipped));
            return JSON.readTree(aes.doFinal(Base64.getDecoder().decode(body.trim())));
        } catch (Exception e) {
            return null;
        }
    }
}
