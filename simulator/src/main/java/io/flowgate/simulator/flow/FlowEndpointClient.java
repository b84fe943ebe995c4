package io.flowgate.simulator.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.simulator.meta.MetaPost;
import io.flowgate.simulator.report.Measurements;
import io.flowgate.testkit.FlowClientCrypto;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Plays the WhatsApp client and Meta's servers on the Flow data endpoint: encrypts a payload with a
 * fresh key (the testkit's {@link FlowClientCrypto}), signs the exact body bytes with the app secret
 * ({@code X-Hub-Signature-256}), posts it, and reads the answer the way the client does — 200 with an
 * encrypted base64 body, 421 (cannot decrypt), 427 (flow token no longer valid, with an optional
 * {@code error_msg} that is encrypted or plaintext JSON), 432 (bad signature). Never throws for what
 * the server does: every outcome is a {@link FlowAnswer}.
 */
final class FlowEndpointClient {

    /** Meta gives the endpoint 10 s; a slower answer is a {@code timeout_error} on the platform too. */
    static final Duration META_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI endpoint;
    private final PublicKey businessKey;
    private final String appSecret;

    FlowEndpointClient(HttpClient http, URI endpoint, PublicKey businessKey, String appSecret) {
        this.http = http;
        this.endpoint = endpoint;
        this.businessKey = businessKey;
        this.appSecret = appSecret;
    }

    /** A request as the WhatsApp client sends it (before encryption). */
    static ObjectNode payload(String action, String screen, ObjectNode data, String flowToken) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("version", "3.0");
        p.put("action", action);
        p.put("screen", screen);
        p.set("data", data);
        p.put("flow_token", flowToken);
        return p;
    }

    FlowAnswer send(JsonNode payload) throws InterruptedException {
        return sendAtOnce(payload, 1).get(0);
    }

    /**
     * A request without state (a ping): sent once more when the first got no answer at all (status -1, as when
     * the pooled connection is closed under it because the request came exactly at the server's keep-alive
     * timeout). The second is the same question, so it cannot count twice; an answer, good or bad, is kept.
     */
    FlowAnswer sendStateless(JsonNode payload) throws InterruptedException {
        FlowAnswer answer = send(payload);
        return answer.status() == -1 ? send(payload) : answer;
    }

    /**
     * A double tap: the same payload sent {@code copies} times at once, each encrypted on its own as the
     * client would. The answers come back in the order sent.
     */
    List<FlowAnswer> sendAtOnce(JsonNode payload, int copies) throws InterruptedException {
        byte[] plaintext = bytes(payload);
        List<CompletableFuture<FlowAnswer>> inFlight = new ArrayList<>(copies);
        for (int i = 0; i < copies; i++) {
            inFlight.add(post(new FlowClientCrypto(), plaintext));
        }
        List<FlowAnswer> answers = new ArrayList<>(copies);
        for (CompletableFuture<FlowAnswer> answer : inFlight) {
            try {
                answers.add(answer.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("unexpected failure reading a Flow answer", e.getCause());
            }
        }
        return answers;
    }

    /** One request: a fresh key and IV each, kept to open its answer. */
    private CompletableFuture<FlowAnswer> post(FlowClientCrypto sealed, byte[] plaintext) {
        byte[] body = sealed.seal(businessKey, plaintext).body();
        HttpRequest request = MetaPost.signed(endpoint, body, appSecret, META_TIMEOUT);
        long sent = System.nanoTime();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, failure) -> failure != null
                        ? new FlowAnswer(-1, null, Measurements.errorName(failure), System.nanoTime() - sent)
                        : read(sealed, response, System.nanoTime() - sent));
    }

    private static FlowAnswer read(FlowClientCrypto sealed, HttpResponse<String> response, long nanos) {
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body().trim();
        if (status == 200) {
            try {
                return new FlowAnswer(status, JSON.readTree(sealed.openResponseText(body)), null, nanos);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return new FlowAnswer(status, null, "undecryptable answer", nanos);
            } catch (JsonProcessingException e) {
                return new FlowAnswer(status, null, "answer not JSON", nanos);
            }
        }
        if (status == FlowAnswer.INVALID_TOKEN) {
            // the body is optional, and sources disagree on whether it is encrypted (reference §5)
            return new FlowAnswer(status, invalidTokenBody(sealed, body), null, nanos);
        }
        return new FlowAnswer(status, null, null, nanos);
    }

    private static JsonNode invalidTokenBody(FlowClientCrypto sealed, String body) {
        if (body.isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(body.startsWith("{") ? body : sealed.openResponseText(body));
        } catch (GeneralSecurityException | IllegalArgumentException | JsonProcessingException e) {
            return null;
        }
    }

    private static byte[] bytes(JsonNode payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload cannot be written as JSON", e);
        }
    }
}
