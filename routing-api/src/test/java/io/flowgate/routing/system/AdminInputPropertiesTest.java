package io.flowgate.routing.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.support.HostileText;
import io.flowgate.routing.support.HostileText.Place;
import io.flowgate.routing.support.RoutingApiInstance;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Arbitrary Unicode (NUL and the other control characters, lone surrogates, very long strings) in every
 * string value and every field name of every admin body, over real HTTP: never a 5xx; a refused
 * character is a 400 naming the field, and a refused request stores nothing.
 */
class AdminInputPropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger KEYS = new AtomicInteger();
    private static RoutingApiInstance app;
    private static List<Body> bodies;

    /**
     * An admin request whose body is fuzzed. {@code path} and {@code body} hold {@code KEY}, replaced by a
     * fresh key per try; {@code stateSql} reads what the request could have stored under that key.
     */
    record Body(String method, String path, String body, String stateSql) {
    }

    @BeforeContainer
    static void start() throws IOException {
        app = RoutingApiInstance.shared();
        app.uploadFlow("fuzz-admin", "linear.json");
        bodies = List.of(
                new Body("POST", "/api/flow-sessions",
                        "{\"wa_id\":\"KEY\",\"flow_id\":\"fuzz-admin\",\"ttl_seconds\":3600,"
                                + "\"data\":{\"name\":\"Ana\",\"address\":{\"city\":\"Lisbon\"},\"tags\":[\"a\",\"b\"]}}",
                        "SELECT string_agg(t::text, ',') FROM flow_sessions t WHERE wa_id = ?"),
                new Body("PUT", "/api/customers/KEY",
                        "{\"tier\":\"gold\",\"balance_due\":12.5,\"attributes\":{\"city\":\"Lisbon\",\"tags\":[\"vip\"]}}",
                        "SELECT string_agg(t::text, ',') FROM customers t WHERE wa_id = ?"),
                new Body("PUT", "/api/inventory/KEY",
                        "{\"name\":\"Phone\",\"stock\":3,\"price\":9.5,\"attributes\":{\"color\":\"red\"}}",
                        "SELECT string_agg(t::text, ',') FROM inventory t WHERE item_id = ?"),
                new Body("PUT", "/api/slots/KEY",
                        "{\"kind\":\"repair\",\"starts_at\":\"2031-01-01T09:00:00Z\",\"capacity\":2,\"booked\":0}",
                        "SELECT string_agg(t::text, ',') FROM appointment_slots t WHERE slot_id = ?"),
                new Body("POST", "/api/alert-rules",
                        "{\"screen\":\"PAYMENT\",\"percentile\":\"p95\",\"threshold_ms\":600,\"window_minutes\":3,\"description\":\"KEY\"}",
                        "SELECT string_agg(t::text, ',') FROM latency_alert_rules t WHERE description = ?"),
                new Body("PUT", "/api/alert-rules/9KEY",
                        "{\"screen\":\"*\",\"percentile\":\"p99\",\"threshold_ms\":5000,\"window_minutes\":5,\"description\":\"fuzz\"}",
                        "SELECT string_agg(t::text, ',') FROM latency_alert_rules t WHERE rule_id::text = '9' || ?"),
                new Body("POST", "/api/flows/fuzz-admin/rules",
                        "{\"screen\":\"WELCOME\",\"action\":\"data_exchange\",\"priority\":50,\"name\":\"KEY\","
                                + "\"condition\":\"data.name == 'x'\",\"next_screen\":\"DETAILS\",\"data\":{\"note\":\"'hello'\"}}",
                        "SELECT string_agg(t::text, ',') FROM routing_rules t WHERE name = ?"),
                new Body("PUT", "/api/flows/KEY", resource("/flows/linear.json"),
                        "SELECT string_agg(t::text, ',') FROM flows t WHERE flow_id = ?"),
                new Body("PUT", "/api/chat-machines/KEY", resource("/examples/lead_qualification/machine.json"),
                        "SELECT string_agg(t::text, ',') FROM chat_machines t WHERE machine_id = ?"));
    }

    @Property(tries = 250, seed = "20261206")
    void anyStringInAnyAdminBodyFieldIsNeverA5xxAndARefusedOneStoresNothing(
            @ForAll("body") int which, @ForAll("position") int position, @ForAll("hostile") String text) throws Exception {
        Body body = bodies.get(which);
        String key = Integer.toString(KEYS.incrementAndGet());
        JsonNode json = JSON.readTree(body.body().replace("KEY", key));
        List<Place> places = HostileText.places(json, "body");
        Place place = places.get(position % places.size());
        JsonNode fuzzed = HostileText.replaced(json, place, text);

        String before = state(body, key);
        var answer = app.admin(body.method(), body.path().replace("KEY", key), HostileText.asciiJson(fuzzed));

        Statistics.label("answers").collect(HostileText.isRefused(text) ? "refused character" : "acceptable text", answer.status());
        assertThat(answer.status()).as("%s %s at %s: %s", body.method(), body.path(), place.path(), clip(answer.raw()))
                .isLessThan(500);
        if (HostileText.isRefused(text)) {
            assertThat(answer.status()).as("%s at %s: %s", body.path(), place.path(), clip(answer.raw())).isEqualTo(400);
            String message = answer.json().path("message").asText();
            if (place.fieldName() && "invalid_json".equals(answer.json().path("error").asText())) {
                // Jackson's own limits on field names come first and it says which: longer than 50,000 characters,
                // or (its byte parser, behind @RequestBody) an escaped lone surrogate
                assertThat(answer.json().path("details").toString()).containsAnyOf("Name length", "surrogate");
            } else if (place.fieldName()) {
                assertThat(message).contains(place.parentPath() + ".").contains("field name");
            } else {
                assertThat(message).startsWith(place.path() + ": ");
            }
            assertThat(state(body, key)).as("nothing stored by a refused request").isEqualTo(before);
        }
    }

    @Property(tries = 60, seed = "20261206")
    void anyStringInAPathVariableOrQueryParameterIsNeverA5xx(@ForAll("hostile") String text) {
        String encoded = URLEncoder.encode(text.length() > 2000 ? text.substring(0, 2000) : text, StandardCharsets.UTF_8);
        for (String path : new String[]{"/api/customers/" + encoded, "/api/flows/" + encoded, "/api/leads/" + encoded,
                "/api/flow-sessions/" + encoded, "/api/outgoing-messages?status=" + encoded}) {
            String method = path.startsWith("/api/customers/") ? "DELETE" : "GET";
            var answer = app.admin(method, path, null);
            Statistics.collect(answer.status());
            assertThat(answer.status()).as("%s %s: %s", method, clip(path), clip(answer.raw())).isLessThan(500);
            if (text.length() <= 2000 && text.chars().anyMatch(c -> c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))) {
                // (a lone surrogate has no URL form: the encoder sends '?'; a NUL in a path Tomcat refuses itself)
                assertThat(answer.status()).as("%s %s", method, clip(path)).isEqualTo(400);
            }
        }
    }

    @Example
    void aNulInACelExpressionIsRefusedNamingTheField() {
        var answer = app.admin("POST", "/api/flows/fuzz-admin/rules",
                "{\"screen\":\"WELCOME\",\"name\":\"nul\",\"condition\":\"data.name == '\\u0000'\",\"next_screen\":\"DETAILS\"}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("message").asText()).startsWith("body.condition: the control character U+0000");
        var query = app.admin("GET", "/api/outgoing-messages?status=fail%00ed", null);
        assertThat(query.status()).isEqualTo(400);
        assertThat(query.json().path("message").asText()).startsWith("query parameter status: the control character U+0000");
    }

    @Provide
    Arbitrary<Integer> body() {
        return Arbitraries.integers().between(0, 8);
    }

    @Provide
    Arbitrary<Integer> position() {
        return Arbitraries.integers().between(0, 10_000);
    }

    @Provide
    Arbitrary<String> hostile() {
        return HostileText.strings();
    }

    private static String state(Body body, String key) throws SQLException {
        try (Connection c = DriverManager.getConnection(app.dbUrl(), "postgres", "");
             var st = c.prepareStatement(body.stateSql())) {
            st.setString(1, key);
            try (var rs = st.executeQuery()) {
                rs.next();
                return String.valueOf(rs.getString(1));
            }
        }
    }

    private static String resource(String name) {
        try (InputStream in = AdminInputPropertiesTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(name, e);
        }
    }

    private static String clip(String s) {
        return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }
}
