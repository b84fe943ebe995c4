package io.flowgate.simulator.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.flowgate.simulator.load.Journey;
import io.flowgate.simulator.load.ThinkTime;
import io.flowgate.simulator.report.ChatCounts;
import io.flowgate.simulator.report.Tally;
import io.flowgate.testkit.GraphApiStandIn;
import io.flowgate.testkit.HubSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Chat leads against a stand-in ingest-api that checks signatures with the test's own HMAC and keeps every body. */
class ChatUsersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "chat-test-app-secret";
    private static final ThinkTime NO_THINKING = new ThinkTime(Duration.ZERO, Duration.ZERO);

    private HttpServer ingest;
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger badSignatures = new AtomicInteger();
    private final Tally tally = new Tally();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startIngest() throws IOException {
        ingest = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ingest.createContext("/webhook", this::receive);
        ingest.start();
    }

    @AfterEach
    void stopIngest() {
        ingest.stop(0);
    }

    private void receive(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (!HubSignature.of(body, SECRET).equals(exchange.getRequestHeaders().getFirst("X-Hub-Signature-256"))) {
            badSignatures.incrementAndGet();
        }
        bodies.add(body);
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    private ChatUsers users(URI ingestApi, GraphApiStandIn graph) {
        return new ChatUsers(http, ingestApi, SECRET, "102290129340398", "106540352242922", graph, tally, NO_THINKING);
    }

    private URI ingestUri() {
        return URI.create("http://localhost:" + ingest.getAddress().getPort());
    }

    private static void walk(Journey journey) throws InterruptedException {
        while (journey.step().isPresent()) {
            // thinking takes no time here
        }
    }

    private List<JsonNode> values() throws IOException {
        List<JsonNode> values = new ArrayList<>();
        for (byte[] body : bodies) {
            values.add(JSON.readTree(body).at("/entry/0/changes/0/value"));
        }
        return values;
    }

    private ChatCounts.Summary counts() {
        return tally.report("test", -1).chats();
    }

    @Test
    void leadsWriteSignedWebhooksInMetasShapeWithDuplicatesAndReorderedPairs() throws Exception {
        ChatUsers users = users(ingestUri(), null);
        for (int i = 0; i < 150; i++) {
            walk(users.arrive(new SplittableRandom(i), String.format("1558%07d", i)));
        }

        assertThat(badSignatures).hasValue(0);
        for (byte[] body : bodies) {
            JsonNode root = JSON.readTree(body);
            assertThat(root.path("object").asText()).isEqualTo("whatsapp_business_account");
            assertThat(root.at("/entry/0/id").asText()).isEqualTo("102290129340398");
            assertThat(root.at("/entry/0/changes/0/field").asText()).isEqualTo("messages");
            JsonNode value = root.at("/entry/0/changes/0/value");
            assertThat(value.path("messaging_product").asText()).isEqualTo("whatsapp");
            assertThat(value.at("/metadata/phone_number_id").asText()).isEqualTo("106540352242922");
            for (JsonNode m : value.path("messages")) {
                assertThat(m.path("id").asText()).startsWith("wamid.");
                assertThat(m.path("from").asText()).isEqualTo(value.at("/contacts/0/wa_id").asText());
                assertThat(m.path("timestamp").asText()).matches("\\d{10}");
                assertThat(m.path("type").asText()).isIn("text", "interactive");
            }
        }
        List<JsonNode> messages = values().stream().flatMap(v -> stream(v.path("messages"))).toList();
        Map<String, Long> copies = messages.stream().collect(Collectors.groupingBy(m -> m.path("id").asText(), Collectors.counting()));
        ChatCounts.Summary counts = counts();
        assertThat(counts.conversations()).isEqualTo(150);
        assertThat(counts.conversationsFinished()).isEqualTo(150);
        assertThat(counts.stoppedHalfway()).isPositive().isLessThan(75);
        assertThat(counts.messages()).isEqualTo(copies.size());
        assertThat(counts.duplicates()).isPositive().isEqualTo(copies.values().stream().filter(n -> n == 2).count());
        assertThat(counts.invalidAnswers()).isPositive();
        assertThat(counts.acknowledged()).isEqualTo(bodies.size());
        assertThat(messages).anySatisfy(m -> assertThat(m.at("/interactive/type").asText()).isEqualTo("list_reply"));
        assertThat(messages).anySatisfy(m -> assertThat(m.at("/interactive/type").asText()).isEqualTo("button_reply"));
        assertThat(reversedDeliveries(messages)).isEqualTo(counts.reorderedPairs()).isPositive();
    }

    /** Consecutive distinct messages of one lead whose timestamps go backwards: a pair delivered in reverse. */
    private static long reversedDeliveries(List<JsonNode> messages) {
        long reversed = 0;
        JsonNode previous = null;
        for (JsonNode m : messages) {
            if (previous != null && previous.path("from").equals(m.path("from")) && !previous.path("id").equals(m.path("id"))
                    && m.path("timestamp").asLong() < previous.path("timestamp").asLong()) {
                reversed++;
            }
            previous = m;
        }
        return reversed;
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out.stream();
    }

    @Test
    void statusesReportWhatFlowgateSentThroughTheGraphApiStandIn() throws Exception {
        try (GraphApiStandIn graph = GraphApiStandIn.start(0)) {
            List<String> sent = new ArrayList<>();
            for (String text : List.of("Hi! What is your name?", "Thanks. Your budget?")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(graph.uri().resolve("/v23.0/106540352242922/messages"))
                        .header("Authorization", "Bearer token").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"messaging_product\":\"whatsapp\",\"to\":\"15580000001\",\"type\":\"text\",\"text\":{\"body\":\"" + text + "\"}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                sent.add(JSON.readTree(r.body()).at("/messages/0/id").asText());
            }

            walk(users(ingestUri(), graph).arrive(new SplittableRandom(1), "15580000001"));

            List<JsonNode> statuses = values().stream().flatMap(v -> stream(v.path("statuses"))).toList();
            assertThat(statuses).extracting(s -> s.path("id").asText()).containsOnlyElementsOf(sent).containsAll(sent);
            for (String wamid : sent) {
                List<String> reported = statuses.stream().filter(s -> s.path("id").asText().equals(wamid))
                        .map(s -> s.path("status").asText()).toList();
                // once each; "delivered" may be skipped or arrive after "read", as on the platform
                assertThat(reported).contains("sent", "read").doesNotHaveDuplicates();
                assertThat(statuses).filteredOn(s -> s.path("id").asText().equals(wamid))
                        .allSatisfy(s -> assertThat(s.path("recipient_id").asText()).isEqualTo("15580000001"));
            }
            assertThat(counts().statuses()).isEqualTo(statuses.size());
        }
    }

    @Test
    void withoutIngestApiChatsPauseAfterTheFirstFailure() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ChatUsers users = users(URI.create("http://localhost:" + closedPort), null);

        assertThat(users.available()).isTrue();
        walk(users.arrive(new SplittableRandom(1), "15580000001"));

        assertThat(users.available()).isFalse();
        assertThat(users.available()).isFalse();
        assertThat(counts().skipped()).isEqualTo(2);
        assertThat(tally.report("test", -1).errorsByKind()).containsOnlyKeys("webhook message: ConnectException");
    }
}
