package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.InboundUpdate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

/**
 * {@code message_statuses}: the delivery status of each outgoing message, which only ever moves forward.
 * Meta reports statuses out of order, more than once, and may skip {@code delivered} when {@code read}
 * implies it (reference §2.2). One conditional upsert applies a status only when it ranks above the one
 * stored: sent &lt; delivered &lt; failed &lt; read &lt; played. A {@code failed} is final: nothing
 * moves a failed message, and a {@code failed} after {@code read} (which contradicts it) is ignored. The
 * statement is idempotent, so statuses need no deduplication table of their own.
 */
@Repository
class MessageStatuses {

    private static final Map<String, Integer> RANK = Map.of(
            "sent", 10, "delivered", 20, "failed", 25, "read", 30, "played", 40);

    private final JdbcClient jdbc;

    MessageStatuses(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Applies a status update; returns its outcome ({@code status_applied}, {@code status_ignored}). */
    String record(InboundUpdate update) {
        String status = update.messageType();
        Integer rank = status == null ? null : RANK.get(status);
        if (rank == null || update.wamid() == null || update.userId() == null || update.eventTime() == null) {
            return "status_unknown";
        }
        JsonNode code = update.payload() == null ? null : update.payload().at("/errors/0/code");
        int applied = jdbc.sql("""
                        INSERT INTO message_statuses (wamid, wa_id, status, status_rank, status_at, error_code)
                        VALUES (:wamid, :wa, :status, :rank, :at, :code)
                        ON CONFLICT (wamid) DO UPDATE SET status = EXCLUDED.status, status_rank = EXCLUDED.status_rank,
                            status_at = EXCLUDED.status_at, error_code = EXCLUDED.error_code, updated_at = now()
                        WHERE message_statuses.status <> 'failed' AND EXCLUDED.status_rank > message_statuses.status_rank""")
                .param("wamid", update.wamid()).param("wa", update.userId()).param("status", status).param("rank", rank)
                .param("at", Timestamp.from(update.eventTime()))
                .param("code", code != null && code.canConvertToInt() ? code.asInt() : null)
                .update();
        return applied == 1 ? "status_applied" : "status_ignored";
    }

    /** Forgets up to {@code limit} statuses last changed before {@code cutoff}; returns how many. */
    int prune(Instant cutoff, int limit) {
        return jdbc.sql("""
                        DELETE FROM message_statuses WHERE wamid IN (
                            SELECT wamid FROM message_statuses WHERE updated_at < :cutoff LIMIT :limit)""")
                .param("cutoff", Timestamp.from(cutoff)).param("limit", limit).update();
    }
}
