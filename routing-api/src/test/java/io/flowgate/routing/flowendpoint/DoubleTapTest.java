package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/** N identical requests of one session at the same moment make one transition and get one answer. */
class DoubleTapTest {

    private static final int TAPS = 8;
    private static RoutingApiInstance app;
    private static WhatsAppFlowClient client;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.shared();
        client = app.client();
        app.uploadFlow("double-tap", "linear.json");
    }

    @Test
    void doubleTapProducesOneTransition() throws Exception {
        JsonNode minted = app.mint("15550004444", "double-tap", null);
        String token = minted.path("flow_token").asText();
        client.send(payload("INIT", "", token));

        ObjectNode tap = payload("data_exchange", "WELCOME", token);
        tap.with("data").put("name", "Ana");
        List<WhatsAppFlowClient.Answer> answers = fireAtOnce(tap);

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.screen()).isEqualTo("DETAILS");
            assertThat(a.data().path("name").asText()).isEqualTo("Ana");
        });
        JsonNode session = app.session(minted.path("session_id").asText());
        assertThat(session.path("transitions").asInt()).as("INIT + one data_exchange").isEqualTo(2);
        assertThat(session.path("history").toString()).isEqualTo("[\"WELCOME\",\"DETAILS\"]");
    }

    @Test
    void doubleTapOnTheLastScreenCompletesOnceAndEveryTapGetsSuccess() throws Exception {
        JsonNode minted = app.mint("15550005555", "double-tap", null);
        String token = minted.path("flow_token").asText();
        client.send(payload("INIT", "", token));
        client.send(payload("data_exchange", "WELCOME", token));
        client.send(payload("data_exchange", "DETAILS", token));

        List<WhatsAppFlowClient.Answer> answers = fireAtOnce(payload("data_exchange", "CONFIRM", token));

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.screen()).isEqualTo("SUCCESS");
            assertThat(a.json().at("/data/extension_message_response/params/flow_token").asText()).isEqualTo(token);
        });
        JsonNode session = app.session(minted.path("session_id").asText());
        assertThat(session.path("status").asText()).isEqualTo("completed");
        assertThat(session.path("transitions").asInt()).isEqualTo(4);
        // a different request after completion is refused
        assertThat(client.send(payload("INIT", "", token)).status()).isEqualTo(427);
    }

    @Test
    void aRepeatGetsTheVeryAnswerWhichTheSessionRowHoldsOnlyOnceInItsHistory() {
        JsonNode minted = app.mint("15550006666", "double-tap", null);
        String token = minted.path("flow_token").asText();
        UUID session = UUID.fromString(minted.path("session_id").asText());
        client.send(payload("INIT", "", token));
        ObjectNode step = payload("data_exchange", "WELCOME", token);
        step.with("data").put("name", "Ana");

        WhatsAppFlowClient.Answer first = client.send(step);
        // the answer is the newest history screen: last_response says so instead of holding its data again
        assertThat(lastResponse(session)).isEqualTo("true");
        WhatsAppFlowClient.Answer repeat = client.send(step);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.screen()).isEqualTo("DETAILS");
        assertThat(repeat.status()).isEqualTo(200);
        assertThat(repeat.json()).isEqualTo(first.json());
        assertThat(app.session(session.toString()).path("transitions").asInt()).as("INIT + one data_exchange").isEqualTo(2);

        // the completion's answer is not a history screen: it is stored whole, and a repeat gets it too
        client.send(payload("data_exchange", "DETAILS", token));
        WhatsAppFlowClient.Answer done = client.send(payload("data_exchange", "CONFIRM", token));
        assertThat(done.screen()).isEqualTo("SUCCESS");
        assertThat(lastResponse(session)).startsWith("{");
        assertThat(client.send(payload("data_exchange", "CONFIRM", token)).json()).isEqualTo(done.json());
    }

    private static String lastResponse(UUID session) {
        return app.context().getBean(JdbcClient.class)
                .sql("SELECT last_response::text FROM flow_sessions WHERE session_id = ?").param(session)
                .query(String.class).single();
    }

    /** Seals every request first (each with its own key, as separate taps are), then posts them together. */
    private static List<WhatsAppFlowClient.Answer> fireAtOnce(ObjectNode request) throws Exception {
        List<WhatsAppFlowClient.Sealed> sealed = new ArrayList<>();
        for (int i = 0; i < TAPS; i++) {
            sealed.add(client.seal(request));
        }
        ExecutorService pool = Executors.newFixedThreadPool(TAPS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<WhatsAppFlowClient.Answer>> futures = new ArrayList<>();
            for (var s : sealed) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return client.post(s);
                }));
            }
            go.countDown();
            List<WhatsAppFlowClient.Answer> answers = new ArrayList<>();
            for (var f : futures) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }
}
