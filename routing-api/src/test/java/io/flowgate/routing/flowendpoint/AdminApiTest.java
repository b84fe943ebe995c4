package io.flowgate.routing.flowendpoint;

import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin API refuses strangers and bad input with clear JSON errors, never a 500. */
class AdminApiTest {

    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.shared();
    }

    @Test
    void adminApiNeedsTheBearerToken() {
        assertThat(app.adminAs(null, "GET", "/api/flows", null).status()).isEqualTo(401);
        var wrong = app.adminAs("wrong", "GET", "/api/flows", null);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.raw()).doesNotContain(RoutingApiInstance.ADMIN_TOKEN);
        assertThat(app.adminAs(null, "POST", "/api/flow-sessions", "{\"wa_id\":\"1555\",\"flow_id\":\"x\"}").status()).isEqualTo(401);
        assertThat(app.admin("GET", "/api/flows", null).status()).isEqualTo(200);
    }

    @Test
    void invalidFlowIsRefusedListingEveryProblem() {
        var answer = app.admin("PUT", "/api/flows/admin-bad",
                "{\"version\":\"7.3\",\"screens\":[{\"id\":\"A\",\"layout\":{}},{\"id\":\"A\",\"layout\":{}}],\"routing_model\":{\"A\":[\"B\"]}}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("error").asText()).isEqualTo("invalid_request");
        assertThat(answer.json().path("details").size()).isGreaterThanOrEqualTo(3);
        assertThat(answer.raw()).contains("data_api_version").contains("duplicate screen id").contains("not a screen");
        assertThat(app.admin("PUT", "/api/flows/admin-bad", "{not json").status()).isEqualTo(400);
        assertThat(app.admin("PUT", "/api/flows/bad%20id!", "{}").status()).isEqualTo(400);
        assertThat(app.admin("GET", "/api/flows/admin-bad", null).status()).isEqualTo(404);
    }

    @Test
    void uploadIsStoredAndReplacedWithARevision() {
        app.uploadFlow("admin-linear", "linear.json");
        var again = app.admin("PUT", "/api/flows/admin-linear", app.admin("GET", "/api/flows/admin-linear", null).raw());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("revision").asInt()).isEqualTo(2);
        assertThat(again.json().path("entry_screen").asText()).isEqualTo("WELCOME");
        assertThat(app.admin("GET", "/api/flows", null).raw()).contains("admin-linear");
    }

    @Test
    void mintingValidatesItsInputAndGivesAnUnguessableToken() {
        app.uploadFlow("admin-mint", "linear.json");
        var bad = app.admin("POST", "/api/flow-sessions", "{\"wa_id\":\"\",\"flow_id\":\"nope\",\"ttl_seconds\":-1,\"data\":[1]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("details").size()).isEqualTo(4);
        assertThat(app.admin("POST", "/api/flow-sessions", "[]").status()).isEqualTo(400);
        assertThat(app.admin("POST", "/api/flow-sessions", "{oops").status()).isEqualTo(400);

        var first = app.mint("15550009999", "admin-mint", null);
        var second = app.mint("15550009999", "admin-mint", null);
        String token = first.path("flow_token").asText();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(token).isNotEqualTo(second.path("flow_token").asText());
        assertThat(app.session(first.path("session_id").asText()).path("status").asText()).isEqualTo("active");
        assertThat(app.admin("GET", "/api/flow-sessions/not-a-uuid", null).status()).isEqualTo(400);
        assertThat(app.admin("GET", "/api/flow-sessions/" + java.util.UUID.randomUUID(), null).status()).isEqualTo(404);
    }

    @Test
    void tokensAreStoredOnlyAsHashes() throws Exception {
        app.uploadFlow("admin-hash", "linear.json");
        String token = app.mint("15550008888", "admin-hash", null).path("flow_token").asText();
        try (var c = java.sql.DriverManager.getConnection(app.dbUrl(), "postgres", "");
             var rs = c.createStatement().executeQuery("SELECT * FROM flow_sessions")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    assertThat(String.valueOf(rs.getObject(i))).doesNotContain(token);
                }
            }
        }
    }
}
