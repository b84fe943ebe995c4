package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.support.HostileText;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.concurrent.atomic.AtomicInteger;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Arbitrary Unicode in the {@code data} a WhatsApp client submits (as a value and as a field name),
 * encrypted the way the client does: always answered within the protocol (200, encrypted); text holding a
 * refused character gets the same screen again with an {@code error_message}, and the session is not
 * changed at all.
 */
class FlowDataPropertiesTest {

    private static final AtomicInteger USERS = new AtomicInteger();
    private static RoutingApiInstance app;
    private static WhatsAppFlowClient client;

    @BeforeContainer
    static void start() {
        app = RoutingApiInstance.shared();
        client = app.client();
        app.uploadFlow("fuzz-data", "linear.json");
    }

    @Property(tries = 120, seed = "20261206")
    void anyStringInFlowDataIsAnsweredWithinTheProtocolAndARefusedOneChangesNothing(
            @ForAll("hostile") String text, @ForAll boolean asFieldName, @ForAll boolean nested) {
        JsonNode minted = app.mint("1555700" + USERS.incrementAndGet(), "fuzz-data", null);
        String token = minted.path("flow_token").asText();
        String sessionId = minted.path("session_id").asText();
        assertThat(client.send(payload("INIT", "", token)).status()).isEqualTo(200);
        JsonNode before = app.session(sessionId);

        ObjectNode request = payload("data_exchange", "WELCOME", token);
        ObjectNode data = nested ? request.with("data").putObject("address") : request.with("data");
        request.with("data").put("item_id", "phone-1");
        if (asFieldName) {
            data.put(text, "v");
        } else {
            data.put("name", text);
        }
        WhatsAppFlowClient.Answer answer = client.post(client.seal(HostileText.asciiJsonBytes(request)));
        Statistics.collect(HostileText.isRefused(text) ? "refused character" : "acceptable text", answer.status(),
                answer.json() == null ? "-" : answer.screen() + (answer.data().has("error_message") ? " + error_message" : ""));

        assertThat(answer.status()).as(answer.rawBody().length() > 300 ? answer.rawBody().substring(0, 300) : answer.rawBody())
                .isEqualTo(200);
        assertThat(answer.json()).as("an encrypted answer").isNotNull();
        if (HostileText.isRefused(text)) {
            assertThat(answer.screen()).isEqualTo("WELCOME");
            assertThat(answer.data().path("error_message").asText()).isNotBlank();
            JsonNode after = app.session(sessionId);
            assertThat(after).as("the session is not changed by a refused request").isEqualTo(before);
        } else {
            assertThat(answer.screen()).isEqualTo("DETAILS");
        }
    }

    @Example
    void aRuleThatLooksUpOrComputesANulNeitherAbortsTheTransactionNorFails() {
        app.uploadFlow("nul-rules", "linear.json");
        var lookup = app.admin("POST", "/api/flows/nul-rules/rules", "{\"screen\":\"WELCOME\",\"priority\":1,"
                + "\"condition\":\"item(data.item_id + '\\\\u0000').exists\",\"next_screen\":\"DETAILS\",\"data\":{\"name\":\"'lookup matched'\"}}");
        assertThat(lookup.status()).as(lookup.raw()).isEqualTo(201);
        var computed = app.admin("POST", "/api/flows/nul-rules/rules", "{\"screen\":\"WELCOME\",\"priority\":2,"
                + "\"condition\":\"true\",\"next_screen\":\"DETAILS\",\"data\":{\"name\":\"'a\\\\u0000b'\"}}");
        assertThat(computed.status()).as(computed.raw()).isEqualTo(201);

        JsonNode minted = app.mint("15557009999", "nul-rules", null);
        String token = minted.path("flow_token").asText();
        assertThat(client.send(payload("INIT", "", token)).status()).isEqualTo(200);
        ObjectNode request = payload("data_exchange", "WELCOME", token);
        request.with("data").put("item_id", "phone-1").put("name", "Ana");
        WhatsAppFlowClient.Answer answer = client.send(request);

        // the lookup of a key no row can hold found nothing (no query, no aborted transaction); the NUL the
        // second rule computed is stored and answered as U+FFFD
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.screen()).isEqualTo("DETAILS");
        assertThat(answer.data().path("name").asText()).isEqualTo("a\uFFFDb");
        assertThat(app.session(minted.path("session_id").asText()).path("current_screen").asText()).isEqualTo("DETAILS");
    }

    @Provide
    Arbitrary<String> hostile() {
        return HostileText.strings();
    }
}
