package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The experiment the tests run on {@code flows/appointment.json}: normally DETAILS goes on to SCHEDULE;
 * the treatment {@code notify} skips scheduling and ends on NOTIFY_ME.
 */
final class ExperimentFixtures {

    static final String NORMAL_RULE = "{\"screen\":\"DETAILS\",\"action\":\"data_exchange\",\"next_screen\":\"SCHEDULE\",\"name\":\"to scheduling\"}";
    static final String NOTIFY_RULE = "{\"screen\":\"DETAILS\",\"action\":\"data_exchange\",\"next_screen\":\"NOTIFY_ME\",\"name\":\"skip scheduling\"}";

    private ExperimentFixtures() {
    }

    /** Uploads the appointment Flow under {@code flowId} with its normal DETAILS rule. */
    static void flowWithNormalRule(RoutingApiInstance app, String flowId) {
        app.uploadFlow(flowId, "appointment.json");
        assertThat(app.admin("POST", "/api/flows/" + flowId + "/rules", NORMAL_RULE).status()).isEqualTo(201);
    }

    static String experiment(String id, String flowId, int controlWeight, int notifyWeight) {
        return "{\"experiment_id\":\"" + id + "\",\"flow_id\":\"" + flowId + "\",\"description\":\"skip scheduling\","
                + "\"variants\":[{\"variant\":\"control\",\"control\":true,\"weight\":" + controlWeight + "},"
                + "{\"variant\":\"notify\",\"weight\":" + notifyWeight + ",\"rules\":[" + NOTIFY_RULE + "]}]}";
    }

    /** Creates and starts an experiment; fails the test if refused. */
    static void createAndStart(RoutingApiInstance app, String json, String id) {
        RoutingApiInstance.AdminAnswer created = app.admin("POST", "/api/experiments", json);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        RoutingApiInstance.AdminAnswer started = app.admin("POST", "/api/experiments/" + id + "/start", null);
        assertThat(started.status()).as(started.raw()).isEqualTo(200);
    }

    /** The variant each of {@code users} users gets when a session is minted for them ("" for none). */
    static Map<String, String> variantsOf(RoutingApiInstance app, String flowId, String prefix, int users) {
        Map<String, String> variants = new LinkedHashMap<>();
        for (int i = 0; i < users; i++) {
            String waId = prefix + String.format("%03d", i);
            variants.put(waId, app.mint(waId, flowId, null).path("variant").asText(""));
        }
        return variants;
    }

    /** Mints a session and walks it INIT, WELCOME, DETAILS; returns {session_id, final screen}. */
    static String[] walk(RoutingApiInstance app, String waId, String flowId) {
        JsonNode minted = app.mint(waId, flowId, null);
        String token = minted.path("flow_token").asText();
        WhatsAppFlowClient client = app.client();
        client.send(payload("INIT", "", token));
        var welcome = payload("data_exchange", "WELCOME", token);
        welcome.with("data").put("name", "Ana");
        client.send(welcome);
        return new String[]{minted.path("session_id").asText(), client.send(payload("data_exchange", "DETAILS", token)).screen()};
    }
}
