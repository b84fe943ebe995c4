package io.flowgate.routing.sessions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.system.JsonColumns;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.routing.outbox.Outbox;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code flow_sessions} in PostgreSQL: the only place a session lives, so a restart or a second
 * routing-api instance loses nothing. Steps lock the row ({@code FOR UPDATE}), which serializes
 * concurrent requests of one session (double taps) without blocking other sessions.
 */
@Repository
public class FlowSessionRepository {

    private static final TypeReference<List<FlowSession.Screen>> HISTORY = new TypeReference<>() {
    };
    private static final String COLUMNS = """
            session_id, wa_id, flow_id, status, current_screen, history::text AS history, user_data::text AS user_data,
            initial_data::text AS initial_data, last_request_hash, last_response::text AS last_response, transitions,
            created_at, updated_at, expires_at, handover_at, flow_version, experiment_id, variant""";

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;

    FlowSessionRepository(JdbcClient jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /**
     * Stores a new session, with its experiment and variant if it was assigned one, recording the Flow's current
     * revision as the version it starts on; returns that version (null when the Flow is unknown).
     */
    public Integer insert(FlowSession s, byte[] tokenHash) {
        return jdbc.sql("""
                        INSERT INTO flow_sessions (session_id, token_hash, wa_id, flow_id, status, initial_data, created_at, updated_at,
                            expires_at, flow_version, experiment_id, variant)
                        VALUES (:id, :hash, :wa, :flow, :status, CAST(:initial AS jsonb), :created, :created, :expires,
                            (SELECT revision FROM flows WHERE flow_id = :flow), :experiment, :variant)
                        RETURNING flow_version""")
                .param("id", s.sessionId()).param("hash", tokenHash).param("wa", s.waId()).param("flow", s.flowId())
                .param("status", s.status()).param("initial", JsonColumns.text(mapper, s.initialData()))
                .param("created", Timestamp.from(s.createdAt())).param("expires", Timestamp.from(s.expiresAt()))
                .param("experiment", s.experimentId()).param("variant", s.variant())
                .query((rs, row) -> rs.getObject("flow_version", Integer.class)).list().get(0);
    }

    /** The session of a token, locked until the transaction ends. */
    public Optional<FlowSession> lockByTokenHash(byte[] tokenHash) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM flow_sessions WHERE token_hash = :hash FOR UPDATE")
                .param("hash", tokenHash).query(this::map).optional();
    }

    public Optional<FlowSession> findById(UUID sessionId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM flow_sessions WHERE session_id = :id")
                .param("id", sessionId).query(this::map).optional();
    }

    /**
     * Writes the result of a step (screen, history, data, status and the double-tap fingerprint) and stores the
     * step's event in the outbox, in one statement.
     */
    public void update(FlowSession s, Outbox outbox, String topic, FlowgateEvent event) {
        Map<String, Object> params = new HashMap<>(16);
        params.put("status", s.status());
        params.put("screen", s.currentScreen());
        params.put("history", JsonColumns.text(mapper, s.history()));
        params.put("data", JsonColumns.text(mapper, s.userData()));
        params.put("hash", s.lastRequestHash());
        params.put("response", s.lastResponse() == null ? null : JsonColumns.text(mapper, s.lastResponse()));
        params.put("transitions", s.transitions());
        params.put("id", s.sessionId());
        params.put("handover", s.handoverAt() == null ? null : Timestamp.from(s.handoverAt()));
        outbox.appendWith("""
                UPDATE flow_sessions SET status = :status, current_screen = :screen, history = CAST(:history AS jsonb),
                    user_data = CAST(:data AS jsonb), last_request_hash = :hash, last_response = CAST(:response AS jsonb),
                    transitions = :transitions, updated_at = now(), handover_at = :handover,
                    completed_at = CASE WHEN :status = 'active' THEN NULL ELSE coalesce(completed_at, now()) END
                WHERE session_id = :id""", params, topic, event);
    }

    private FlowSession map(ResultSet rs, int row) throws SQLException {
        return new FlowSession(
                rs.getObject("session_id", UUID.class),
                rs.getString("wa_id"),
                rs.getString("flow_id"),
                rs.getString("status"),
                rs.getString("current_screen"),
                JsonColumns.read(mapper, rs.getString("history"), HISTORY),
                (ObjectNode) JsonColumns.tree(mapper, rs.getString("user_data")),
                (ObjectNode) JsonColumns.tree(mapper, rs.getString("initial_data")),
                rs.getBytes("last_request_hash"),
                rs.getString("last_response") == null ? null : JsonColumns.tree(mapper, rs.getString("last_response")),
                rs.getInt("transitions"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getTimestamp("expires_at").toInstant(),
                rs.getTimestamp("handover_at") == null ? null : rs.getTimestamp("handover_at").toInstant(),
                rs.getObject("flow_version", Integer.class),
                rs.getString("experiment_id"),
                rs.getString("variant"));
    }
}
