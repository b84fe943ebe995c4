package io.flowgate.routing.outbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of the outbox relay on the {@code outbox} table: the next batch to publish (locked), deleting
 * what Kafka acknowledged, parking what it refuses for good, and the backlog and oldest-unsent queries
 * behind the metrics and the heartbeats. Every statement runs on the connection it is given (the relay's
 * own, which holds the advisory lock), inside whatever transaction the caller has open.
 */
final class OutboxTable {

    // the relay's log, as it was before the SQL left OutboxRelay
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private static final String SELECT_BATCH = """
            SELECT event_id, topic, record_key, payload::text, ctid::text FROM outbox
            WHERE parked_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE""";
    // by the rows' physical addresses (a TID scan, whatever the table's statistics say), and only rows whose
    // event_id was acknowledged: a row locked by this transaction cannot move, but nothing else is ever deleted
    static final String DELETE_ACKED = """
            DELETE FROM outbox WHERE ctid = ANY(CAST(? AS tid[])) AND event_id = ANY(?)""";
    private static final String BACKLOG = """
            SELECT count(*) FILTER (WHERE parked_at IS NULL),
                   coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0),
                   count(*) FILTER (WHERE parked_at IS NOT NULL)
            FROM outbox""";
    private static final String OLDEST_UNSENT = """
            SELECT (payload->>'event_time')::timestamptz FROM outbox
            WHERE parked_at IS NULL ORDER BY seq LIMIT 1""";

    private OutboxTable() {
    }

    /** One outbox row, as the relay publishes it; {@code ctid} is where it is while the batch's transaction locks it. */
    record Row(String eventId, String topic, String key, String payload, String ctid) {
    }

    /**
     * Committed rows not yet published: how many, the age of the oldest in seconds (0 when none), and how
     * many are parked.
     */
    record Backlog(long unsent, double oldestAgeSeconds, long parked) {
    }

    /** The next {@code limit} unparked rows in {@code seq} order, locked until the transaction ends. */
    static List<Row> selectBatch(Connection connection, int limit) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(SELECT_BATCH)) {
            st.setInt(1, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        return rows;
    }

    /**
     * Deletes rows of the batch this transaction selected (and still locks), in one statement. Before issue 12 it
     * sent one {@code DELETE ... WHERE event_id = ?} per row (a JDBC batch): a statement execution per published
     * event. {@code event_id = ANY(array)} alone is no replacement: with a queue table's stale statistics it may be
     * planned as a scan of the whole table (it was: 1.4k events/s); the TID scan has no such plan.
     */
    static void delete(Connection connection, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String[] ctids = new String[rows.size()];
        String[] eventIds = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            ctids[i] = rows.get(i).ctid();
            eventIds[i] = rows.get(i).eventId();
        }
        try (PreparedStatement st = connection.prepareStatement(DELETE_ACKED)) {
            st.setArray(1, connection.createArrayOf("text", ctids));
            st.setArray(2, connection.createArrayOf("text", eventIds));
            int deleted = st.executeUpdate();
            if (deleted != rows.size()) {
                // cannot happen while the rows are locked; if it did, the rows left would be published again
                // (same event_id), never lost
                log.warn("outbox relay deleted {} of the {} rows Kafka acknowledged; the others are published again", deleted, rows.size());
            }
        }
    }

    /** Sets a row Kafka refuses for good aside, so it cannot block the events behind it. */
    static void park(Connection connection, Row row, Throwable reason) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(
                "UPDATE outbox SET parked_at = now(), park_reason = ? WHERE event_id = ?")) {
            st.setString(1, reason.toString());
            st.setString(2, row.eventId());
            st.executeUpdate();
        }
        log.error("outbox event {} for {} parked: Kafka refuses it for good ({}). Fix the cause, then "
                + "UPDATE outbox SET parked_at = NULL WHERE event_id = '{}' to publish it", row.eventId(), row.topic(), reason, row.eventId());
    }

    static Backlog backlog(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(BACKLOG)) {
            rs.next();
            return new Backlog(rs.getLong(1), rs.getDouble(2), rs.getLong(3));
        }
    }

    /**
     * The event time of the oldest committed row not yet published (parked ones excluded); null when none.
     * A row whose event_time is not a time fails with SQL state class 22.
     */
    static Instant oldestUnsent(Connection connection) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(OLDEST_UNSENT); ResultSet rs = st.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            Timestamp t = rs.getTimestamp(1);
            return t == null ? null : t.toInstant();
        }
    }
}
