package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flowgate.testkit.EndpointSideCrypto;
import io.flowgate.testkit.HubSignature;
import io.flowgate.testkit.TestKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The client against a stand-in endpoint that opens and answers requests with the endpoint side of the testkit's crypto. */
class FlowEndpointClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "app-secret-for-this-test";
    private static final KeyPair KEYS = TestKeys.generate();

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** How the stand-in answers a decrypted request: status and body (given the request to seal with). */
    private volatile Function<EndpointSideCrypto.Opened, Reply> behaviour;
    private FlowEndpointClient client;

    record Received(byte[] body, String signature, String plaintext) {
    }

    record Reply(int status, String body) {
    }

    /** A reply status meaning: close the connection without any answer. */
    private static final int DROP = 0;

    @BeforeEach
    void startEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/flows/endpoint", this::handle);
        server.start();
        client = new FlowEndpointClient(HttpClient.newHttpClient(),
                URI.create("http://localhost:" + server.getAddress().getPort() + "/flows/endpoint"),
                KEYS.getPublic(), SECRET);
    }

    @AfterEach
    void stopEndpoint() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Reply reply;
        try {
            JsonNode envelope = JSON.readTree(body);
            EndpointSideCrypto.Opened opened = EndpointSideCrypto.open(KEYS.getPrivate(), envelope.get("encrypted_aes_key").asText(),
                    envelope.get("encrypted_flow_data").asText(), envelope.get("initial_vector").asText());
            received.add(new Received(body, exchange.getRequestHeaders().getFirst("X-Hub-Signature-256"), opened.plaintext()));
            reply = behaviour.apply(opened);
        } catch (Exception e) {
            reply = new Reply(500, "");
        }
        if (reply.status() == DROP) {
            // the connection closed under the request, nothing answered (a keep-alive timeout met by a request)
            exchange.close();
            return;
        }
        byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
        }
    }

    private static ObjectNode init() {
        ObjectNode p = JSON.createObjectNode();
        p.put("version", "3.0").put("action", "INIT").put("screen", "").put("flow_token", "token-1");
        p.putObject("data");
        return p;
    }

    private static Function<EndpointSideCrypto.Opened, Reply> sealed(int status, String json) {
        return request -> {
            try {
                return new Reply(status, EndpointSideCrypto.seal(request, json));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void requestIsSignedWithAnHmacOfTheExactBodyBytes() throws Exception {
        behaviour = sealed(200, "{\"screen\":\"WELCOME\",\"data\":{}}");

        client.send(init());

        Received r = received.get(0);
        assertThat(r.signature()).isEqualTo(HubSignature.of(r.body(), SECRET));
        assertThat(JSON.readTree(r.plaintext())).isEqualTo(init());
    }

    @Test
    void answerIsDecryptedWithTheFlippedIv() throws Exception {
        behaviour = sealed(200, "{\"screen\":\"WELCOME\",\"data\":{\"greeting\":\"Hello!\"}}");

        FlowAnswer answer = client.send(init());

        assertThat(answer.ok()).isTrue();
        assertThat(answer.screen()).isEqualTo("WELCOME");
        assertThat(answer.data().path("greeting").asText()).isEqualTo("Hello!");
    }

    @Test
    void answerSealedWithAnotherKeyIsReportedUndecryptable() throws Exception {
        behaviour = request -> {
            try {
                return new Reply(200, EndpointSideCrypto.sealWithIv(new byte[16], request.iv(), "{\"screen\":\"X\"}"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };

        FlowAnswer answer = client.send(init());

        assertThat(answer.ok()).isFalse();
        assertThat(answer.error()).isEqualTo("undecryptable answer");
    }

    @Test
    void invalidTokenIsUnderstoodWithAnEncryptedOrPlaintextMessage() throws Exception {
        behaviour = sealed(427, "{\"error_msg\":\"expired\"}");
        FlowAnswer encrypted = client.send(init());
        behaviour = request -> new Reply(427, "{\"error_msg\":\"gone\"}");
        FlowAnswer plaintext = client.send(init());

        assertThat(encrypted.status()).isEqualTo(427);
        assertThat(encrypted.json().path("error_msg").asText()).isEqualTo("expired");
        assertThat(plaintext.json().path("error_msg").asText()).isEqualTo("gone");
    }

    @Test
    void refusalsWithoutBodyKeepTheirStatus() throws Exception {
        for (int status : new int[]{421, 432}) {
            behaviour = request -> new Reply(status, "");

            FlowAnswer answer = client.send(init());

            assertThat(answer.status()).isEqualTo(status);
            assertThat(answer.ok()).isFalse();
            assertThat(answer.error()).isEqualTo("HTTP " + status);
        }
    }

    @Test
    void aPingWithoutAnyAnswerIsAskedOnceMoreAndATransitionIsNot() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Function<EndpointSideCrypto.Opened, Reply> active = sealed(200, "{\"data\":{\"status\":\"active\"}}");
        behaviour = request -> calls.incrementAndGet() == 1 ? new Reply(DROP, "") : active.apply(request);
        ObjectNode ping = JSON.createObjectNode().put("version", "3.0").put("action", "ping");

        FlowAnswer answer = client.sendStateless(ping);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("data").path("status").asText()).isEqualTo("active");
        assertThat(received).hasSize(2);

        calls.set(0);
        received.clear();
        FlowAnswer transition = client.send(init());
        assertThat(transition.status()).as("a request with state is not sent twice by the client").isEqualTo(-1);
        assertThat(received).hasSize(1);
    }

    @Test
    void doubleTapSendsSeparatelyEncryptedCopiesAtOnce() throws Exception {
        behaviour = sealed(200, "{\"screen\":\"CONFIRM\",\"data\":{}}");

        List<FlowAnswer> answers = client.sendAtOnce(init(), 3);

        assertThat(answers).hasSize(3).allSatisfy(a -> assertThat(a.screen()).isEqualTo("CONFIRM"));
        assertThat(received).hasSize(3);
        assertThat(received.stream().map(r -> new String(r.body(), StandardCharsets.UTF_8)).distinct()).hasSize(3);
        assertThat(received.stream().map(Received::plaintext).distinct()).hasSize(1);
    }

    @Test
    void unreachableEndpointIsAnAnswerNotAnException() throws Exception {
        server.stop(0);

        FlowAnswer answer = client.send(init());

        assertThat(answer.status()).isEqualTo(-1);
        assertThat(answer.error()).isEqualTo("ConnectException");
    }
}
