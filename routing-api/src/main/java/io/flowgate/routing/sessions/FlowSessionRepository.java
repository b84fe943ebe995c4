package io.flowgate.routing.sessions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.system.JsonColumns;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.routing.outbox.Outbox;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
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
    /**
     * What {@code last_response} holds when the last answer was the newest history screen,
     * {@code {"screen": <its screen>, "data": <its data>}} (every step but a completion): a JSON scalar, which no
     * stored answer is (they are objects), instead of the screen's data a second time.
     */
    static final String LAST_HISTORY_SCREEN = "true";
    private static final String LOCK = "SELECT " + COLUMNS + " FROM flow_sessions WHERE token_hash = ? FOR UPDATE";
    /** The step's session change; its 10 parameters in this order. */
    private static final String UPDATE = """
            UPDATE flow_sessions SET status = ?, current_screen = ?, history = CAST(? AS jsonb),
                user_data = CAST(? AS jsonb), last_request_hash = ?, last_response = CAST(? AS jsonb),
                transitions = ?, updated_at = now(), handover_at = ?,
                completed_at = CASE WHEN ? = 'active' THEN NULL ELSE coalesce(completed_at, now()) END
            WHERE session_id = ?""";

    private final JdbcClient jdbc;
    private final JdbcTemplate plain;
    private final ObjectMapper mapper;

    FlowSessionRepository(JdbcClient jdbc, JdbcTemplate plain, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.plain = plain;
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

    /** The session of a token, locked until the transaction ends ({@code JdbcTemplate} with {@code ?} parameters: the Flow endpoint's hot path). */
    public Optional<FlowSession> lockByTokenHash(byte[] tokenHash) {
        return plain.query(LOCK, ps -> ps.setBytes(1, tokenHash), rs -> {
            if (!rs.next()) {
                return Optional.empty();
            }
            FlowSession session = map(rs, 0);
            if (rs.next()) {
                throw new IncorrectResultSizeDataAccessException(1, 2);
            }
            return Optional.of(session);
        });
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
        String history = JsonColumns.text(mapper, s.history());
        String data = JsonColumns.text(mapper, s.userData());
        String response = s.lastResponse() == null ? null
                : isLastHistoryScreen(s.lastResponse(), s.history()) ? LAST_HISTORY_SCREEN : JsonColumns.text(mapper, s.lastResponse());
        outbox.appendWith(UPDATE, 10, ps -> {
            ps.setString(1, s.status());
            ps.setString(2, s.currentScreen());
            ps.setString(3, history);
            ps.setString(4, data);
            ps.setBytes(5, s.lastRequestHash());
            ps.setString(6, response);
            ps.setInt(7, s.transitions());
            if (s.handoverAt() == null) {
                ps.setNull(8, Types.TIMESTAMP);
            } else {
                ps.setTimestamp(8, Timestamp.from(s.handoverAt()));
            }
            ps.setString(9, s.status());
            ps.setObject(10, s.sessionId());
        }, topic, event);
    }

    /** Whether {@code response} is exactly {@code {"screen": s, "data": d}} of the newest screen of {@code history}. */
    private static boolean isLastHistoryScreen(JsonNode response, List<FlowSession.Screen> history) {
        if (history.isEmpty() || !(response instanceof ObjectNode answer) || answer.size() != 2) {
            return false;
        }
        FlowSession.Screen last = history.get(history.size() - 1);
        JsonNode screen = answer.get("screen");
        JsonNode data = answer.get("data");
        return screen != null && screen.isTextual() && screen.textValue().equals(last.screen())
                && data != null && (data == last.data() || data.equals(last.data()));
    }

    /** The stored answer; {@link #LAST_HISTORY_SCREEN} is rebuilt from the newest history screen. */
    private JsonNode lastResponse(String stored, List<FlowSession.Screen> history) {
        if (stored == null) {
            return null;
        }
        if (!LAST_HISTORY_SCREEN.equals(stored)) {
            return JsonColumns.tree(mapper, stored);
        }
        FlowSession.Screen last = history.get(history.size() - 1);
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("screen", last.screen());
        answer.set("data", last.data() == null ? null : last.data().deepCopy());
        return answer;
    }

    /**
     * The {@code history} column's text as screens: what {@code mapper.readValue(text, List<Screen>)} gives for every
     * history this code writes (and for a screen's JSON null data, a missing one, or a scalar screen name), read as a
     * tree without the record's data binding (issue 12: the Flow endpoint's hot path).
     */
    static List<FlowSession.Screen> history(ObjectMapper mapper, String text) {
        JsonNode tree = JsonColumns.tree(mapper, text);
        if (tree == null || tree.isNull()) {
            return null;
        }
        if (!tree.isArray()) {
            return JsonColumns.read(mapper, text, HISTORY); // not a history this code wrote: as before
        }
        List<FlowSession.Screen> screens = new ArrayList<>(tree.size());
        for (JsonNode s : tree) {
            JsonNode screen = s.get("screen");
            if (!s.isObject() || screen != null && !screen.isValueNode()) {
                return JsonColumns.read(mapper, text, HISTORY);
            }
            screens.add(new FlowSession.Screen(screen == null || screen.isNull() ? null : screen.asText(), s.get("data")));
        }
        return screens;
    }

    private FlowSession map(ResultSet rs, int row) throws SQLException {
        List<FlowSession.Screen> history = history(mapper, rs.getString("history"));
        return new FlowSession(
                rs.getObject("session_id", UUID.class),
                rs.getString("wa_id"),
                rs.getString("flow_id"),
                rs.getString("status"),
                rs.getString("current_screen"),
                history,
                (ObjectNode) JsonColumns.tree(mapper, rs.getString("user_data")),
                (ObjectNode) JsonColumns.tree(mapper, rs.getString("initial_data")),
                rs.getBytes("last_request_hash"),
                lastResponse(rs.getString("last_response"), history),
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
