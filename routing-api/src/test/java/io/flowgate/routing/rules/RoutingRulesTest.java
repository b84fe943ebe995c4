package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped example's scenarios, end to end over HTTP: each routing table (customers, inventory,
 * slots, lead scores) steers a user to a different screen, with screen data computed from the tables.
 */
class RoutingRulesTest {

    private static final String FLOW = DeviceRepairExample.FLOW_ID;
    private static RoutingApiInstance app;
    private static WhatsAppFlowClient client;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.builder().start();
        client = app.client();
        new DeviceRepairExample(app.uri("/"), RoutingApiInstance.ADMIN_TOKEN).install();
    }

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        app.close();
    }

    private static String open(String waId) {
        String token = app.mint(waId, FLOW, null).path("flow_token").asText();
        assertThat(client.send(payload("INIT", "", token)).screen()).isEqualTo("WELCOME");
        return token;
    }

    private static WhatsAppFlowClient.Answer submit(String token, String screen, String... fields) {
        ObjectNode p = payload("data_exchange", screen, token);
        for (int i = 0; i < fields.length; i += 2) {
            p.with("data").put(fields[i], fields[i + 1]);
        }
        return client.send(p);
    }

    @Test
    void initGreetsByTierAndListsDevicesInStock() {
        String token = app.mint("15550000001", FLOW, null).path("flow_token").asText();
        var init = client.send(payload("INIT", "", token));
        assertThat(init.data().path("greeting").asText()).isEqualTo("Welcome back!");
        assertThat(init.data().path("devices").findValuesAsText("id"))
                .containsExactlyInAnyOrder("iphone-13-screen", "pixel-8-battery", "ipad-air-screen");
    }

    @Test
    void premiumCustomerGoesToTheExpressDeskAndBooks() {
        String token = open("15550000001");
        var express = submit(token, "WELCOME", "item_id", "iphone-13-screen", "budget", "300");
        assertThat(express.screen()).isEqualTo("EXPRESS_SCHEDULE");
        assertThat(express.data().path("slots")).hasSize(6);
        String slot = express.data().path("slots").get(0).path("id").asText();
        assertThat(slot).startsWith("express-");

        var confirm = submit(token, "EXPRESS_SCHEDULE", "slot", slot);
        assertThat(confirm.screen()).isEqualTo("CONFIRM");
        assertThat(confirm.data().path("summary").asText()).isEqualTo("iPhone 13 screen, express, slot " + slot);

        var done = submit(token, "CONFIRM");
        assertThat(done.screen()).isEqualTo("SUCCESS");
        JsonNode params = done.json().at("/data/extension_message_response/params");
        assertThat(params.path("flow_token").asText()).isEqualTo(token);
        assertThat(params.path("item_id").asText()).isEqualTo("iphone-13-screen");
        assertThat(params.path("slot").asText()).isEqualTo(slot);
    }

    @Test
    void overdueBalanceGoesToPayment() {
        var payment = submit(open("15550000002"), "WELCOME", "item_id", "iphone-13-screen", "budget", "300");
        assertThat(payment.screen()).isEqualTo("PAYMENT");
        assertThat(payment.data().path("amount_due").asText()).isEqualTo("120.0");
    }

    @Test
    void partOutOfStockGoesToNotifyMe() {
        var notify = submit(open("15550000003"), "WELCOME", "item_id", "galaxy-s23-port", "budget", "100");
        assertThat(notify.screen()).isEqualTo("NOTIFY_ME");
        assertThat(notify.data().path("item_name").asText()).isEqualTo("Galaxy S23 charging port");
    }

    @Test
    void highBudgetIsHandedToALiveAgent() {
        JsonNode minted = app.mint("15550000003", FLOW, null);
        String token = minted.path("flow_token").asText();
        client.send(payload("INIT", "", token));
        var agent = submit(token, "WELCOME", "item_id", "iphone-13-screen", "budget", "7000");
        assertThat(agent.screen()).isEqualTo("LIVE_AGENT");
        assertThat(app.session(minted.path("session_id").asText()).path("handover").asBoolean()).isTrue();
        // the handed-over session finishes its handover screen; only then is its token refused
        assertThat(submit(token, "LIVE_AGENT").screen()).isEqualTo("SUCCESS");
        assertThat(app.session(minted.path("session_id").asText()).path("status").asText()).isEqualTo("handover");
        assertThat(submit(token, "LIVE_AGENT", "note", "again").status()).isEqualTo(427);
    }

    @Test
    void unknownCustomerTakesTheStandardPathWithStandardSlots() {
        var standard = submit(open("15559990000"), "WELCOME", "item_id", "pixel-8-battery", "budget", "80");
        assertThat(standard.screen()).isEqualTo("STANDARD_SCHEDULE");
        assertThat(standard.data().path("slots")).hasSize(12);
        assertThat(standard.data().path("slots").get(0).path("id").asText()).startsWith("standard-");
    }

    @Test
    void unparsableBudgetMakesThatConditionFalseNotAnError() {
        var answer = submit(open("15559990001"), "WELCOME", "item_id", "pixel-8-battery", "budget", "a lot");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.screen()).isEqualTo("STANDARD_SCHEDULE");
    }

    @Test
    void tableChangesTakeEffectWithoutRestart() {
        String token = open("15559990002");
        app.admin("PUT", "/api/inventory/pixel-8-battery", "{\"name\":\"Pixel 8 battery\",\"stock\":0,\"price\":79.0}");
        try {
            var notify = submit(token, "WELCOME", "item_id", "pixel-8-battery", "budget", "80");
            // NOTIFY is asynchronous: the cache may serve the old row for a few milliseconds
            if (!"NOTIFY_ME".equals(notify.screen())) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(submit(open("15559990002"), "WELCOME", "item_id", "pixel-8-battery", "budget", "80").screen())
                                .isEqualTo("NOTIFY_ME"));
            }
        } finally {
            app.admin("PUT", "/api/inventory/pixel-8-battery", "{\"name\":\"Pixel 8 battery\",\"stock\":4,\"price\":79.0}");
        }
    }

    @Test
    void hotLeadFromTheAnalyticsIsHandedToALiveAgent() throws Exception {
        sql("INSERT INTO lead_scores (wa_id, score, tier, reasons, updated_at) VALUES ('15559990003', 85, 'hot', '[]', now())");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(submit(open("15559990003"), "WELCOME", "item_id", "pixel-8-battery", "budget", "80").screen())
                        .isEqualTo("LIVE_AGENT"));
    }

    @Test
    void hotItemFromTheAnalyticsIsReadByRules() throws Exception {
        var rule = app.admin("POST", "/api/flows/" + FLOW + "/rules", "{\"screen\":\"WELCOME\",\"priority\":15,"
                + "\"name\":\"hot items go on the waiting list\",\"condition\":\"item(data.item_id).hot\","
                + "\"next_screen\":\"NOTIFY_ME\",\"data\":{\"item_name\":\"item(data.item_id).name + ' (in high demand)'\"}}");
        assertThat(rule.status()).as(rule.raw()).isEqualTo(201);
        try {
            assertThat(submit(open("15559990004"), "WELCOME", "item_id", "ipad-air-screen", "budget", "300").screen())
                    .isEqualTo("STANDARD_SCHEDULE");
            sql("INSERT INTO hot_inventory (item_id, demand, window_start, window_end, stock, hot, updated_at) "
                    + "VALUES ('ipad-air-screen', 40, now() - interval '1 hour', now(), 2, true, now())");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
                var answer = submit(open("15559990004"), "WELCOME", "item_id", "ipad-air-screen", "budget", "300");
                assertThat(answer.screen()).isEqualTo("NOTIFY_ME");
                assertThat(answer.data().path("item_name").asText()).isEqualTo("iPad Air screen (in high demand)");
            });
        } finally {
            app.admin("DELETE", "/api/flows/" + FLOW + "/rules/" + rule.json().path("rule_id").asLong(), null);
        }
    }

    private static void sql(String statement) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(app.dbUrl(), "postgres", ""); var st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
