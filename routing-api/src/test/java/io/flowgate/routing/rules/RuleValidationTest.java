package io.flowgate.routing.rules;

import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A rule is checked when it is saved: a typo can never reach a phone. */
class RuleValidationTest {

    private static final String RULES = "/api/flows/" + DeviceRepairExample.FLOW_ID + "/rules";
    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.builder().start();
        new DeviceRepairExample(app.uri("/"), RoutingApiInstance.ADMIN_TOKEN).install();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static String refusal(String rule) {
        var answer = app.admin("POST", RULES, rule);
        assertThat(answer.status()).as(answer.raw()).isEqualTo(400);
        return answer.json().path("details").toString();
    }

    @Test
    void conditionThatDoesNotCompileIsRefused() {
        assertThat(refusal("{\"screen\":\"WELCOME\",\"condition\":\"customer.tier ==\",\"next_screen\":\"STANDARD_SCHEDULE\"}"))
                .contains("condition");
        assertThat(refusal("{\"screen\":\"WELCOME\",\"condition\":\"nosuchvar > 1\",\"next_screen\":\"STANDARD_SCHEDULE\"}"))
                .contains("nosuchvar");
        assertThat(refusal("{\"screen\":\"WELCOME\",\"condition\":\"1 + 1\",\"next_screen\":\"STANDARD_SCHEDULE\"}"))
                .contains("condition: is int, needs bool");
    }

    @Test
    void unknownScreenIsRefused() {
        assertThat(refusal("{\"screen\":\"WELCOME\",\"next_screen\":\"STANDRD_SCHEDULE\"}"))
                .contains("has no screen STANDRD_SCHEDULE");
        assertThat(refusal("{\"screen\":\"NOPE\",\"next_screen\":\"STANDARD_SCHEDULE\"}")).contains("has no screen NOPE");
    }

    @Test
    void routeTheRoutingModelForbidsIsRefused() {
        assertThat(refusal("{\"screen\":\"EXPRESS_SCHEDULE\",\"next_screen\":\"PAYMENT\"}"))
                .contains("does not allow EXPRESS_SCHEDULE -> PAYMENT");
        assertThat(refusal("{\"action\":\"INIT\",\"next_screen\":\"CONFIRM\"}")).contains("INIT must open an entry screen");
        assertThat(refusal("{\"action\":\"BACK\",\"screen\":\"WELCOME\",\"next_screen\":\"PAYMENT\"}")).contains("action");
    }

    @Test
    void dataThatDoesNotMatchTheScreenIsRefused() {
        assertThat(refusal("{\"screen\":\"WELCOME\",\"next_screen\":\"PAYMENT\",\"data\":{\"amount\":\"'12'\"}}"))
                .contains("declares no such data field");
        assertThat(refusal("{\"screen\":\"WELCOME\",\"next_screen\":\"PAYMENT\",\"data\":{\"amount_due\":\"12\"}}"))
                .contains("data.amount_due: is int, needs string");
        assertThat(refusal("{\"screen\":\"WELCOME\",\"next_screen\":\"STANDARD_SCHEDULE\",\"data\":{\"slots\":\"'soon'\"}}"))
                .contains("data.slots: is string, needs list");
        assertThat(refusal("{\"screen\":\"WELCOME\",\"next_screen\":\"PAYMENT\",\"data\":{\"amount_due\":12}}"))
                .contains("a CEL expression as a string");
    }

    @Test
    void validRuleIsStoredListedUpdatedAndDeleted() {
        var created = app.admin("POST", RULES, "{\"screen\":\"WELCOME\",\"priority\":5,\"name\":\"vip\","
                + "\"condition\":\"customer.tier == 'vip'\",\"next_screen\":\"EXPRESS_SCHEDULE\",\"data\":{\"slots\":\"slots('express')\"}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        long id = created.json().path("rule_id").asLong();
        assertThat(app.admin("GET", RULES, null).raw()).contains("\"name\":\"vip\"");
        var updated = app.admin("PUT", RULES + "/" + id, "{\"screen\":\"WELCOME\",\"priority\":5,\"name\":\"vip2\","
                + "\"condition\":\"customer.tier == 'vip'\",\"next_screen\":\"STANDARD_SCHEDULE\"}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(app.admin("PUT", RULES + "/" + id, "{\"screen\":\"WELCOME\",\"next_screen\":\"CONFIRM\"}").status()).isEqualTo(400);
        assertThat(app.admin("DELETE", RULES + "/" + id, null).status()).isEqualTo(204);
        assertThat(app.admin("DELETE", RULES + "/" + id, null).status()).isEqualTo(404);
        assertThat(app.admin("POST", "/api/flows/no_such_flow/rules", "{\"next_screen\":\"X\"}").status()).isEqualTo(404);
    }

    @Test
    void flowUploadThatBreaksExistingRulesIsRefused() throws Exception {
        var flow = (com.fasterxml.jackson.databind.node.ObjectNode) app.admin("GET", "/api/flows/" + DeviceRepairExample.FLOW_ID, null).json();
        var routes = (com.fasterxml.jackson.databind.node.ArrayNode) flow.with("routing_model").withArray("WELCOME");
        for (int i = routes.size() - 1; i >= 0; i--) {
            if (routes.get(i).asText().equals("PAYMENT")) {
                routes.remove(i);
            }
        }
        flow.with("routing_model").remove("PAYMENT");
        var screens = flow.withArray("screens");
        for (int i = screens.size() - 1; i >= 0; i--) {
            if (screens.get(i).path("id").asText().equals("PAYMENT")) {
                screens.remove(i);
            }
        }
        var answer = app.admin("PUT", "/api/flows/" + DeviceRepairExample.FLOW_ID, flow.toString());
        assertThat(answer.status()).as(answer.raw()).isEqualTo(400);
        assertThat(answer.raw()).contains("overdue balance pays first").contains("has no screen PAYMENT");
    }

    @Test
    void routingTableRowsAreValidated() {
        assertThat(app.admin("PUT", "/api/inventory/x1", "{\"name\":\"X\",\"stock\":-1}").status()).isEqualTo(400);
        assertThat(app.admin("PUT", "/api/inventory/x1", "{\"name\":\"X\",\"stock\":\"many\"}").status()).isEqualTo(400);
        assertThat(app.admin("PUT", "/api/slots/s1", "{\"kind\":\"express\",\"starts_at\":\"tomorrow\"}").status()).isEqualTo(400);
        assertThat(app.admin("PUT", "/api/customers/bad%20id", "{}").status()).isEqualTo(400);
        assertThat(app.admin("PUT", "/api/customers/1555", "{\"tier\":\"gold\",\"balance_due\":10.5}").status()).isEqualTo(200);
        assertThat(app.admin("GET", "/api/customers", null).raw()).contains("\"gold\"");
        assertThat(app.admin("DELETE", "/api/customers/1555", null).status()).isEqualTo(204);
        assertThat(app.admin("DELETE", "/api/customers/1555", null).status()).isEqualTo(404);
    }
}
