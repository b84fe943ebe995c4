package io.flowgate.routing.testclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.testkit.FlowClientCrypto;
import io.flowgate.testkit.HubSignature;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Duration;

/**
 * Plays the WhatsApp client and Meta's servers against the Flow endpoint over HTTP, with the testkit's
 * client crypto ({@link FlowClientCrypto}: a fresh key and IV per request, the answer opened with the
 * bit-flipped IV) and signature ({@link HubSignature}), none of the server's code.
 */
public final class WhatsAppFlowClient {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        FlowClientCrypto request = new FlowClientCrypto();
        return new Sealed(request.seal(publicKey, payloadJson).body(), request.aesKey, request.iv);
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
        return HubSignature.of(body, appSecret);
    }

    /** Decrypts an answer body with the request's key and the flipped IV; null if it is not such a body. */
    public static JsonNode tryDecrypt(String body, Sealed sealed) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(new FlowClientCrypto(sealed.aesKey(), sealed.iv()).openResponse(body));
        } catch (Exception e) {
            return null;
        }
    }
}
