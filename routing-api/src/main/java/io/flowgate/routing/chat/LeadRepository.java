package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.routing.rules.CelValues;
import io.flowgate.routing.system.JsonColumns;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code lead_qualifications}: the only place a conversation's position lives, so a restart or a second
 * instance loses nothing. Every change happens under the row's lock ({@code FOR UPDATE}), which is what
 * serializes one user's messages however many consumers and instances process them.
 */
@Repository
public class LeadRepository {

    private static final String COLUMNS = """
            id, wa_id, send_to, machine_id, session_id, session_started_at, current_state, previous_state,
            qualification_score, lead_data::text AS lead_data, retries, status, flow_session_id, last_message_at,
            last_interaction, re_engaged_at, experiment_id, variant""";

    private final JdbcClient jdbc;
    private final ObjectMapper mapper;

    LeadRepository(JdbcClient jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** The user's lead, locked until the transaction ends. */
    Optional<Lead> lock(String waId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM lead_qualifications WHERE wa_id = :wa FOR UPDATE")
                .param("wa", waId).query(this::map).optional();
    }

    /**
     * Creates the user's lead before anything is asked (state empty) and returns it locked; empty when
     * another transaction created it first (then {@link #lock} waits for it and returns that one).
     */
    Optional<Lead> create(String waId, String sendTo, String machineId, Instant startedAt, Instant now) {
        Optional<Long> id = jdbc.sql("""
                        INSERT INTO lead_qualifications (wa_id, send_to, machine_id, session_id, session_started_at, current_state,
                            last_interaction)
                        VALUES (:wa, :to, :machine, :session, :started, '', :now)
                        ON CONFLICT (wa_id) DO NOTHING RETURNING id""")
                .param("wa", waId).param("to", sendTo).param("machine", machineId).param("session", UUID.randomUUID())
                .param("started", Timestamp.from(startedAt)).param("now", Timestamp.from(now))
                .query(Long.class).optional();
        return id.flatMap(created -> lock(waId));
    }

    /**
     * Moves a lead known by its phone number to the business-scoped id Meta now sends for the same user,
     * so that the conversation continues instead of starting over.
     */
    void rekey(long id, String waId) {
        jdbc.sql("UPDATE lead_qualifications SET wa_id = :wa, updated_at = now() WHERE id = :id")
                .param("wa", waId).param("id", id).update();
    }

    /** Writes a lead; the completion, escalation and cold times follow its status. */
    void update(Lead lead, Instant now) {
        jdbc.sql("""
                        UPDATE lead_qualifications SET send_to = :to, session_id = :session, session_started_at = :started,
                            current_state = :state, previous_state = :previous, qualification_score = :score,
                            lead_data = CAST(:data AS jsonb), retries = :retries, status = :status, flow_session_id = :flow,
                            last_message_at = :lastMessage, last_interaction = :lastInteraction,
                            experiment_id = :experiment, variant = :variant,
                            completed_at = CASE WHEN :status = 'completed' THEN coalesce(completed_at, :now) END,
                            escalated_at = CASE WHEN :status = 'escalated' THEN coalesce(escalated_at, :now) END,
                            cold_at = CASE WHEN :status = 'cold' THEN coalesce(cold_at, :now) END,
                            updated_at = :now
                        WHERE id = :id""")
                .param("to", lead.sendTo()).param("session", lead.sessionId())
                .param("started", Timestamp.from(lead.sessionStartedAt())).param("state", lead.currentState())
                .param("previous", lead.previousState()).param("score", lead.score()).param("data", JsonColumns.text(mapper, lead.data()))
                .param("retries", lead.retries()).param("status", lead.status()).param("flow", lead.flowSessionId())
                .param("lastMessage", lead.lastMessageAt() == null ? null : Timestamp.from(lead.lastMessageAt()))
                .param("lastInteraction", Timestamp.from(lead.lastInteraction()))
                .param("experiment", lead.experimentId()).param("variant", lead.variant())
                .param("now", Timestamp.from(now)).param("id", lead.id())
                .update();
    }

    void markReEngaged(long id, Instant at) {
        jdbc.sql("UPDATE lead_qualifications SET re_engaged_at = :at, updated_at = :at WHERE id = :id")
                .param("at", Timestamp.from(at)).param("id", id).update();
    }

    /**
     * Up to {@code limit} active leads silent since before {@code cutoff}, locked; rows another instance is
     * already working on are skipped rather than waited for.
     */
    List<Lead> lockInactive(Instant cutoff, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + """
                         FROM lead_qualifications WHERE status = 'active' AND last_interaction < :cutoff
                        ORDER BY last_interaction LIMIT :limit FOR UPDATE SKIP LOCKED""")
                .param("cutoff", Timestamp.from(cutoff)).param("limit", limit).query(this::map).list();
    }

    /** The lead of a user, by user id or phone number, for operators. */
    public Optional<Lead> find(String waIdOrPhone) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM lead_qualifications WHERE wa_id = :id OR send_to = :id ORDER BY id LIMIT 1")
                .param("id", waIdOrPhone).query(this::map).optional();
    }

    private Lead map(ResultSet rs, int row) throws SQLException {
        return new Lead(
                rs.getLong("id"),
                rs.getString("wa_id"),
                rs.getString("send_to"),
                rs.getString("machine_id"),
                rs.getObject("session_id", UUID.class),
                rs.getTimestamp("session_started_at").toInstant(),
                rs.getString("current_state"),
                rs.getString("previous_state"),
                rs.getInt("qualification_score"),
                CelValues.map(JsonColumns.tree(mapper, rs.getString("lead_data"))),
                rs.getInt("retries"),
                rs.getString("status"),
                rs.getObject("flow_session_id", UUID.class),
                instant(rs.getTimestamp("last_message_at")),
                rs.getTimestamp("last_interaction").toInstant(),
                instant(rs.getTimestamp("re_engaged_at")),
                rs.getString("experiment_id"),
                rs.getString("variant"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
