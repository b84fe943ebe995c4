package io.flowgate.routing.outbox;

import io.flowgate.routing.outbox.OutboxTable.Row;
import io.flowgate.schema.FlowgateSchema;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's delete against a real outbox table, counted by PostgreSQL itself ({@code pg_stat_statements}): the rows
 * Kafka acknowledged go in one statement per batch, whatever the batch's size, and only they go (issue 12).
 */
class OutboxTableTest {

    private static EmbeddedPostgres postgres;
    private static PGSimpleDataSource ds;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                // statistics as stale as a queue table's: the delete must not depend on them
                .setServerConfig("autovacuum", "off")
                .start();
        ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        ds.setUser("postgres");
        FlowgateSchema.migrate(ds);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theAcknowledgedRowsOfABatchAreDeletedInOneStatementAndNoOtherRow() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM outbox");
            st.execute("""
                    INSERT INTO outbox (event_id, topic, record_key, payload)
                    SELECT 'e' || i, 't', 'k', '{}' FROM generate_series(1, 2000) i""");
            c.setAutoCommit(false);
            List<Row> batch = OutboxTable.selectBatch(c, 6);
            assertThat(batch).extracting(Row::eventId).containsExactly("e1", "e2", "e3", "e4", "e5", "e6");
            List<Row> acked = new ArrayList<>(List.of(batch.get(0), batch.get(1), batch.get(3), batch.get(5)));
            st.execute("SELECT pg_stat_statements_reset()");
            OutboxTable.delete(c, acked);
            c.commit();
            c.setAutoCommit(true);

            assertThat(deleteStatements(st)).as("DELETE statements for a batch of %d acknowledged rows", acked.size()).isEqualTo(1);
            try (ResultSet rs = st.executeQuery("SELECT event_id FROM outbox WHERE event_id IN ('e1','e2','e3','e4','e5','e6','e7')"
                    + " ORDER BY seq")) {
                List<String> left = new ArrayList<>();
                while (rs.next()) {
                    left.add(rs.getString(1));
                }
                assertThat(left).containsExactly("e3", "e5", "e7");
            }
            assertThat(count(st, "SELECT count(*) FROM outbox")).isEqualTo(2000 - 4);
        }
    }

    @Test
    void theDeleteIsNeverPlannedAsAScanOfTheWholeTable() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM outbox");
            // the table's statistics say it is empty (analyzed so), then it fills up: a queue table after a Kafka outage
            st.execute("ANALYZE outbox");
            st.execute("""
                    INSERT INTO outbox (event_id, topic, record_key, payload)
                    SELECT 'p' || i, 't', 'k', '{}' FROM generate_series(1, 30000) i""");
            // the relay's prepared statement, planned as pgjdbc's server-prepared statements end up: generic
            st.execute("SET plan_cache_mode = force_generic_plan");
            st.execute("PREPARE acked(text[], text[]) AS " + OutboxTable.DELETE_ACKED.replaceFirst("\\?", "\\$1").replaceFirst("\\?", "\\$2"));
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = st.executeQuery("EXPLAIN EXECUTE acked('{\"(0,1)\",\"(0,2)\"}', '{p1,p2}')")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("Tid Scan").doesNotContain("Seq Scan");
        }
    }

    private static long deleteStatements(Statement st) throws Exception {
        return count(st, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE 'DELETE FROM outbox%'");
    }

    private static long count(Statement st, String query) throws Exception {
        try (ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
