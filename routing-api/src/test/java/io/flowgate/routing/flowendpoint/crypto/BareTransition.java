package io.flowgate.routing.flowendpoint.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Topics;
import io.flowgate.routing.outbox.RelayProducer;
import io.flowgate.routing.sessions.FlowTokens;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.postgresql.PGConnection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The infrastructure of one {@code data_exchange} transition without Spring and without Flowgate's logic, for
 * {@link BareFlowEndpoint} (issue 12, docs/benchmarks.md "data_exchange: what the infrastructure costs"): one
 * JDBC transaction on a HikariCP pool with routing-api's pool settings, sending exactly the three statements
 * routing-api sends per transition ({@code FlowSessionRepository.lockByTokenHash}, {@code RoutingTables}' customer
 * + lead score query, {@code FlowSessionRepository.update} through {@code JdbcOutbox.appendWith}: the session
 * update and the {@code flow_transition} outbox row in one statement), the commit, then one coalesced
 * {@code pg_notify} on a pool connection from a single thread, at most one per 10 ms ({@code RelayWakeup}); and a relay thread doing
 * what {@code OutboxRelay.publishBatch} does per batch (select up to 500 rows {@code FOR UPDATE}, send them with
 * the relay's producer settings, wait for the acknowledgements, delete them in one statement, commit), woken by
 * {@code LISTEN} or every 500 ms.
 *
 * <p>Not done (Flowgate's logic, left out on purpose): no rules or CEL, no Flow definition or screen checks, no
 * double-tap or expiry checks, no history reconciliation, experiments, caches, metrics or logs; the answer's
 * screen and data are a fixed template (one routing-api answer captured by the benchmark) copied and
 * serialised with Jackson per request, so the answer, the history and the event have routing-api's sizes.
 * The relay takes no advisory lock, writes no heartbeats and counts no backlog.
 */
public final class BareTransition implements AutoCloseable {

    static final String CHANNEL = "flowgate_bare_outbox";
    private static final int BATCH = 500;
    private static final Duration WAKE_PAUSE = Duration.ofMillis(10);
    private static final String LOCK = """
            SELECT session_id, wa_id, flow_id, status, current_screen, history::text AS history, user_data::text AS user_data,
            initial_data::text AS initial_data, last_request_hash, last_response::text AS last_response, transitions,
            created_at, updated_at, expires_at, handover_at, flow_version, experiment_id, variant
            FROM flow_sessions WHERE token_hash = ? FOR UPDATE""";
    private static final String CUSTOMER = """
            SELECT c.wa_id IS NOT NULL AS known, c.tier, c.balance_due, c.attributes::text AS attributes,
                (SELECT to_jsonb(l)::text FROM lead_scores l WHERE l.wa_id = ?) AS lead
            FROM (SELECT 1) AS one LEFT JOIN customers c ON c.wa_id = ?""";
    private static final String UPDATE_AND_OUTBOX = """
            WITH change AS (UPDATE flow_sessions SET status = ?, current_screen = ?, history = CAST(? AS jsonb),
                user_data = CAST(? AS jsonb), last_request_hash = ?, last_response = CAST(? AS jsonb),
                transitions = ?, updated_at = now(), handover_at = ?,
                completed_at = CASE WHEN ? = 'active' THEN NULL ELSE coalesce(completed_at, now()) END
            WHERE session_id = ? RETURNING 1) INSERT INTO outbox (event_id, topic, record_key, payload)
            SELECT ?, ?, ?, CAST(? AS json) WHERE EXISTS (SELECT FROM change)""";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HikariDataSource pool;
    private final ObjectNode answer;
    private final AtomicBoolean notifyPending = new AtomicBoolean();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(r -> daemon(r, "bare-outbox-wakeup"));
    private final Thread relay;
    private volatile boolean running = true;

    /**
     * @param answer {@code {"screen": ..., "data": {...}}} of the answer to send (and record in the history)
     * @param kafka  the broker the relay publishes to; null: no relay (the rows stay in the outbox)
     */
    public BareTransition(String db, ObjectNode answer, String kafka) {
        HikariConfig config = new HikariConfig(); // routing-api's spring.datasource.hikari settings
        config.setJdbcUrl(db);
        config.setUsername("postgres");
        config.setPassword("");
        config.setMaximumPoolSize(16);
        config.setConnectionTimeout(3000);
        config.setPoolName("flowgate-bare");
        this.pool = new HikariDataSource(config);
        this.answer = answer;
        this.relay = kafka == null ? null : daemon(() -> relay(db, kafka), "bare-outbox-relay");
        if (relay != null) {
            relay.start();
        }
    }

    /** A committed transition: the plaintext answer, and what the {@code endpoint_request} event names. */
    public record Answered(byte[] plaintext, String flowId, String sessionId, String screen, Integer flowVersion) {
    }

    /** The transition, or null when no session has the token. */
    public Answered step(JsonNode payload) throws Exception {
        String version = payload.path("version").asText();
        String screen = payload.path("screen").asText(null);
        ObjectNode submitted = payload.path("data") instanceof ObjectNode o ? o : MAPPER.createObjectNode();
        byte[] tokenHash = FlowTokens.hash(payload.path("flow_token").asText(null));
        if (tokenHash == null) {
            return null;
        }
        ObjectNode reply = MAPPER.createObjectNode();
        reply.put("version", version);
        reply.put("screen", answer.path("screen").asText());
        reply.set("data", answer.path("data").deepCopy());
        FlowTransition event;
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false); // what Spring's DataSourceTransactionManager does for the TransactionTemplate
            try {
                event = transition(c, tokenHash, screen, submitted, reply);
                if (event == null) {
                    c.rollback();
                    return null;
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        wake();
        return new Answered(MAPPER.writeValueAsBytes(reply), event.flowId(), event.sessionId(), screen, event.flowVersion());
    }

    /** The transaction's statements; the event stored, or null when no session has the token. */
    private FlowTransition transition(Connection c, byte[] tokenHash, String from, ObjectNode submitted, ObjectNode reply)
            throws Exception {
        UUID sessionId;
        String waId;
        String flowId;
        ArrayNode history;
        ObjectNode userData;
        int transitions;
        Instant createdAt;
        Integer flowVersion;
        try (PreparedStatement st = c.prepareStatement(LOCK)) {
            st.setBytes(1, tokenHash);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                sessionId = rs.getObject("session_id", UUID.class);
                waId = rs.getString("wa_id");
                flowId = rs.getString("flow_id");
                history = (ArrayNode) MAPPER.readTree(rs.getString("history"));
                String data = rs.getString("user_data");
                userData = data == null ? MAPPER.createObjectNode() : (ObjectNode) MAPPER.readTree(data);
                transitions = rs.getInt("transitions");
                createdAt = rs.getTimestamp("created_at").toInstant();
                flowVersion = rs.getObject("flow_version", Integer.class);
                rs.getString("status");
                rs.getString("current_screen");
                rs.getString("initial_data");
                rs.getBytes("last_request_hash");
                rs.getString("last_response");
                rs.getTimestamp("updated_at");
                rs.getTimestamp("expires_at");
                rs.getTimestamp("handover_at");
                rs.getString("experiment_id");
                rs.getString("variant");
            }
        }
        try (PreparedStatement st = c.prepareStatement(CUSTOMER)) {
            st.setString(1, waId);
            st.setString(2, waId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                rs.getBoolean(1);
                rs.getString(2);
                rs.getBigDecimal(3);
                rs.getString(4);
                rs.getString(5);
            }
        }
        userData.setAll(submitted);
        String to = reply.path("screen").asText();
        history.addObject().put("screen", to).set("data", reply.get("data"));
        Map<String, String> fields = new LinkedHashMap<>();
        submitted.fields().forEachRemaining(f -> {
            if (f.getValue().isValueNode()) {
                fields.put(f.getKey(), f.getValue().asText());
            }
        });
        FlowTransition event = new FlowTransition(UUID.randomUUID().toString(), Instant.now(), flowId, sessionId.toString(),
                waId, createdAt, from == null ? "" : from, to, "data_exchange", fields, false, false, FlowTransition.SOURCE_FLOW,
                flowVersion, null, null);
        MessageDigest digest = MessageDigest.getInstance("SHA-256"); // the double-tap fingerprint routing-api stores
        digest.update(("data_exchange\0" + from + "\0" + submitted).getBytes(StandardCharsets.UTF_8));
        try (PreparedStatement st = c.prepareStatement(UPDATE_AND_OUTBOX)) {
            st.setString(1, "active");
            st.setString(2, to);
            st.setString(3, MAPPER.writeValueAsString(history));
            st.setString(4, MAPPER.writeValueAsString(userData));
            st.setBytes(5, digest.digest());
            st.setString(6, "true"); // the answer is the newest history screen (FlowSessionRepository.LAST_HISTORY_SCREEN)
            st.setInt(7, transitions + 1);
            st.setTimestamp(8, (Timestamp) null);
            st.setString(9, "active");
            st.setObject(10, sessionId);
            st.setString(11, event.eventId());
            st.setString(12, Topics.TRANSITIONS);
            st.setString(13, event.key());
            st.setString(14, EventJson.toJson(event));
            return st.executeUpdate() > 0 ? event : null;
        }
    }

    /**
     * {@code RelayWakeup}: at most one NOTIFY in flight, sent after the commit from a pool connection, then a pause of
     * {@code RelayWakeup.PAUSE} (10 ms) before the next.
     */
    private void wake() {
        if (notifyPending.compareAndSet(false, true)) {
            notifier.execute(() -> {
                notifyPending.set(false);
                try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                    st.execute("SELECT pg_notify('" + CHANNEL + "', '')");
                } catch (SQLException e) {
                    System.err.println("bare wake-up failed: " + e.getMessage());
                }
                LockSupport.parkNanos(WAKE_PAUSE.toNanos());
            });
        }
    }

    /** {@code OutboxRelay}'s loop without leadership, heartbeats or metrics: drain in batches, then wait for a wake-up. */
    private void relay(String db, String kafka) {
        Producer<String, byte[]> producer = new KafkaProducer<>(
                RelayProducer.settings(kafka, "flowgate-bare-relay", Duration.ofSeconds(30)),
                new StringSerializer(), new ByteArraySerializer());
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("ApplicationName", "flowgate-bare-relay");
        props.setProperty("socketTimeout", "60");
        try (producer; Connection c = DriverManager.getConnection(db, props)) {
            try (Statement st = c.createStatement()) {
                st.execute("LISTEN " + CHANNEL);
            }
            while (running) {
                while (running && publishBatch(c, producer) == BATCH) {
                    // a full batch: there may be more
                }
                c.unwrap(PGConnection.class).getNotifications(500);
            }
        } catch (Exception e) {
            if (running) {
                System.err.println("bare relay stopped: " + e);
            }
        }
    }

    private static int publishBatch(Connection c, Producer<String, byte[]> producer) throws Exception {
        c.setAutoCommit(false);
        try {
            List<String[]> rows = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("""
                    SELECT event_id, topic, record_key, payload::text, ctid::text FROM outbox
                    WHERE parked_at IS NULL ORDER BY seq LIMIT ? FOR UPDATE""")) {
                st.setInt(1, BATCH);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
                    }
                }
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
            for (String[] row : rows) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("event_id", row[0].getBytes(StandardCharsets.UTF_8));
                sent.add(producer.send(new ProducerRecord<>(row[1], null, null, row[2], row[3].getBytes(StandardCharsets.UTF_8), headers)));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
            if (!rows.isEmpty()) { // OutboxTable.delete: one statement, by the locked rows' addresses
                try (PreparedStatement st = c.prepareStatement(
                        "DELETE FROM outbox WHERE ctid = ANY(CAST(? AS tid[])) AND event_id = ANY(?)")) {
                    st.setArray(1, c.createArrayOf("text", rows.stream().map(r -> r[4]).toArray()));
                    st.setArray(2, c.createArrayOf("text", rows.stream().map(r -> r[0]).toArray()));
                    st.executeUpdate();
                }
            }
            c.commit();
            return rows.size();
        } catch (Exception e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        running = false;
        notifier.shutdownNow();
        pool.close();
    }
}
