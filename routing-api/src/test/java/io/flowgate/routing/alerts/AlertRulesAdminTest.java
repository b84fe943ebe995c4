package io.flowgate.routing.alerts;

import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Ops set latency alert thresholds through the admin API; bad thresholds are refused clearly. */
class AlertRulesAdminTest {

    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.shared();
    }

    @Test
    void metaThresholdsAreThereAndCanBeTightened() {
        var rules = app.admin("GET", "/api/alert-rules", null);
        assertThat(rules.status()).isEqualTo(200);
        assertThat(rules.raw()).contains("\"threshold_ms\": 1000").contains("\"error_rate_threshold\": 0.05");
        var tightened = app.admin("PUT", "/api/alert-rules/2", "{\"error_rate_threshold\":0.02,\"window_minutes\":3}");
        assertThat(tightened.status()).as(tightened.raw()).isEqualTo(200);
        assertThat(app.admin("GET", "/api/alert-rules", null).raw()).contains("\"error_rate_threshold\": 0.02");
    }

    @Test
    void screenRuleIsCreatedAndDeleted() {
        var created = app.admin("POST", "/api/alert-rules",
                "{\"screen\":\"PAYMENT\",\"percentile\":\"p95\",\"threshold_ms\":600,\"window_minutes\":3,\"description\":\"slow payments\"}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        long id = created.json().path("rule_id").asLong();
        assertThat(app.admin("GET", "/api/alert-rules", null).raw()).contains("slow payments");
        assertThat(app.admin("DELETE", "/api/alert-rules/" + id, null).status()).isEqualTo(204);
        assertThat(app.admin("DELETE", "/api/alert-rules/" + id, null).status()).isEqualTo(404);
    }

    @Test
    void invalidThresholdsAreRefusedListingEachProblem() {
        var bad = app.admin("POST", "/api/alert-rules",
                "{\"percentile\":\"p42\",\"error_rate_threshold\":5,\"window_minutes\":0}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.raw()).contains("percentile: one of").contains("both, or neither").contains("error_rate_threshold")
                .contains("window_minutes");
        assertThat(app.admin("POST", "/api/alert-rules", "{}").status()).isEqualTo(400);
        assertThat(app.adminAs(null, "GET", "/api/alert-rules", null).status()).isEqualTo(401);
    }
}
