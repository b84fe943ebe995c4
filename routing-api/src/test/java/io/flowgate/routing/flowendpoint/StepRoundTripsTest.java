package io.flowgate.routing.flowendpoint;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.flowendpoint.crypto.BareTransition;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statements a {@code data_exchange} transition sends in its transaction, counted by PostgreSQL itself
 * ({@code pg_stat_statements}): the session lock, one query for the customer and the lead score, and one
 * statement for the session update and its outbox event (issue 12: 3 where there were 5). The example Flow's
 * first screen, a new user, as in {@code EndpointBenchmark}. And that {@link BareTransition}, the infrastructure
 * floor {@code WrkEndpointBenchmark} measures next to it, sends exactly those statements.
 */
class StepRoundTripsTest {

    private static EmbeddedPostgres postgres;
    private static RoutingApiInstance app;
    private static String db;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                .start();
        String admin = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE steps");
        }
        db = "jdbc:postgresql://localhost:" + postgres.getPort() + "/steps";
        app = RoutingApiInstance.builder().database(db).start();
        new DeviceRepairExample(app.uri(""), RoutingApiInstance.ADMIN_TOKEN).install();
        try (Connection c = DriverManager.getConnection(db, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aTransitionLocksReadsTheUserOnceAndWritesSessionAndEventInOneStatement() throws Exception {
        WhatsAppFlowClient client = app.client();
        List<WhatsAppFlowClient.Sealed> steps = EndpointBenchmark.sealExchanges(client, db, 2);
        // the first fills the caches of the rules, the items and the slots; the second is a new user's transition
        assertThat(client.post(steps.get(0)).status()).isEqualTo(200);
        try (Connection c = DriverManager.getConnection(db, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_statements_reset()");
            WhatsAppFlowClient.Answer answer = client.post(steps.get(1));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.screen()).isNotEqualTo("WELCOME");

            Map<String, Long> calls = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT query, calls FROM pg_stat_statements
                    WHERE query ~ 'token_hash = \\$1 FOR UPDATE|customers|lead_scores|UPDATE flow_sessions SET status|INSERT INTO outbox'
                      AND query NOT LIKE '%pg_stat_statements%'""")) {
                while (rs.next()) {
                    calls.merge(rs.getString(1), rs.getLong(2), Long::sum);
                }
            }
            assertThat(calls.values().stream().mapToLong(Long::longValue).sum())
                    .as("statements of the step's transaction: %s", calls)
                    .isEqualTo(3);
            assertThat(calls.keySet()).anySatisfy(q -> assertThat(q).contains("UPDATE flow_sessions").contains("INSERT INTO outbox"));
        }
    }

    @Test
    void theBareTransitionSendsRoutingApisStatementsAndWritesTheSessionAndTheEvent() throws Exception {
        WhatsAppFlowClient client = app.client();
        List<WhatsAppFlowClient.Sealed> steps = EndpointBenchmark.sealExchanges(client, db, 2);
        assertThat(client.post(steps.get(0)).status()).isEqualTo(200);
        String bareDb;
        try (Connection c = DriverManager.getConnection(db, "postgres", ""); Statement st = c.createStatement()) {
            bareDb = BenchmarkStack.createBareDatabase(c, postgres.getPort(), "steps_bare");
            st.execute("SELECT pg_stat_statements_reset()");
            WhatsAppFlowClient.Answer answer = client.post(steps.get(1));
            assertThat(answer.status()).isEqualTo(200);
            List<String> routed = transactionStatements(c, "steps");
            assertThat(routed).hasSize(3);

            ObjectNode template = JsonNodeFactory.instance.objectNode();
            template.put("screen", answer.screen());
            template.set("data", answer.data());
            String token = EndpointBenchmark.preloadSessions(bareDb, 1, DeviceRepairExample.FLOW_ID).get(0);
            ObjectNode payload = WhatsAppFlowClient.payload("data_exchange", "WELCOME", token);
            payload.with("data").put("item_id", "pixel-8-battery").put("budget", "300");
            try (BareTransition bare = new BareTransition(bareDb, template, null)) {
                st.execute("SELECT pg_stat_statements_reset()");
                BareTransition.Answered step = bare.step(payload);
                assertThat(step).isNotNull();
                assertThat(new String(step.plaintext(), StandardCharsets.UTF_8))
                        .contains("\"screen\":\"" + answer.screen() + "\"");
                assertThat(transactionStatements(c, "steps_bare")).as("the bare transaction's statements").isEqualTo(routed);
                assertThat(bare.step(WhatsAppFlowClient.payload("data_exchange", "WELCOME", "no-such-token"))).isNull();
            }
        }
        try (Connection b = DriverManager.getConnection(bareDb, "postgres", ""); Statement st = b.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT s.current_screen, s.transitions, s.user_data->>'item_id', o.topic, o.payload->>'to_screen'
                     FROM flow_sessions s JOIN outbox o ON o.record_key = s.session_id::text""")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(2)).isEqualTo(1);
            assertThat(rs.getString(3)).isEqualTo("pixel-8-battery");
            assertThat(rs.getString(5)).isEqualTo(rs.getString(1));
            assertThat(rs.next()).as("one session moved, one event").isFalse();
        }
    }

    /** The texts (whitespace folded) of the transition's statements PostgreSQL counted in {@code database}, each as often as called. */
    private static List<String> transactionStatements(Connection c, String database) throws Exception {
        List<String> texts = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("""
                SELECT query, calls FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = ?)
                  AND query ~ 'token_hash = \\$1 FOR UPDATE|customers|lead_scores|UPDATE flow_sessions SET status|INSERT INTO outbox'
                  AND query NOT LIKE '%pg_stat_statements%'""")) {
            st.setString(1, database);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    for (long i = 0; i < rs.getLong(2); i++) {
                        texts.add(rs.getString(1).replaceAll("\\s+", " ").replaceAll(" ?([(),]) ?", "$1").trim());
                    }
                }
            }
        }
        texts.sort(null);
        return texts;
    }
}
