package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/** Sessions live in PostgreSQL: a second instance serves them, and a restart loses nothing. */
class TwoInstancesTest {

    @Test
    void secondInstanceAndRestartServeTheSameSessions() throws Exception {
        try (RoutingApiInstance a = RoutingApiInstance.builder().start()) {
            a.uploadFlow("two", "linear.json");
            JsonNode minted = a.mint("15550006666", "two", null);
            String token = minted.path("flow_token").asText();
            assertThat(a.client().send(payload("INIT", "", token)).screen()).isEqualTo("WELCOME");

            String secondScreen;
            try (RoutingApiInstance b = a.sibling()) {
                ObjectNode next = payload("data_exchange", "WELCOME", token);
                next.with("data").put("name", "Ana");
                secondScreen = b.client().send(next).screen();
            }
            assertThat(secondScreen).isEqualTo("DETAILS");
            a.close();

            try (RoutingApiInstance restarted = a.sibling()) {
                var last = restarted.client().send(payload("data_exchange", "DETAILS", token));
                assertThat(last.screen()).isEqualTo("CONFIRM");
                assertThat(last.data().path("name").asText()).isEqualTo("Ana");
            }
        }
    }

    @Test
    void doubleTapAcrossTwoInstancesStillMakesOneTransition() throws Exception {
        try (RoutingApiInstance a = RoutingApiInstance.builder().start(); RoutingApiInstance b = a.sibling()) {
            a.uploadFlow("two-tap", "linear.json");
            JsonNode minted = a.mint("15550007777", "two-tap", null);
            String token = minted.path("flow_token").asText();
            a.client().send(payload("INIT", "", token));
            ObjectNode tap = payload("data_exchange", "WELCOME", token);
            tap.with("data").put("name", "Ana");
            List<WhatsAppFlowClient.Sealed> sealed = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sealed.add(a.client().seal(tap));
            }
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<WhatsAppFlowClient.Answer>> futures = new ArrayList<>();
            for (int i = 0; i < sealed.size(); i++) {
                WhatsAppFlowClient via = (i % 2 == 0 ? a : b).client();
                var s = sealed.get(i);
                futures.add(pool.submit(() -> via.post(s)));
            }
            for (var f : futures) {
                assertThat(f.get().screen()).isEqualTo("DETAILS");
            }
            pool.shutdown();
            assertThat(a.session(minted.path("session_id").asText()).path("transitions").asInt()).isEqualTo(2);
        }
    }
}
