package io.flowgate.routing.chat;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;

/**
 * {@code processed_messages}: the deduplication of everything the chat consumer applies. Claiming an
 * event id is the first statement of the processing transaction; a second delivery of the same update
 * (Meta's retries, ingest's re-writes, a consumer rebalance, another instance) finds the id taken, or
 * waits on the unique index until the first transaction ends, and changes nothing.
 */
@Repository
class ProcessedMessages {

    static final String MESSAGE = "message";
    static final String STALE_SESSION = "stale_session";
    private static final String PENDING = "pending";

    private final JdbcClient jdbc;

    ProcessedMessages(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Takes {@code eventId} for this transaction; false when it was processed (or is being processed) already. */
    boolean claim(String eventId, String waId, String kind, Instant eventTime) {
        return jdbc.sql("""
                        INSERT INTO processed_messages (event_id, wa_id, kind, event_time, outcome) VALUES (:id, :wa, :kind, :at, :outcome)
                        ON CONFLICT (event_id) DO NOTHING""")
                .param("id", eventId).param("wa", waId).param("kind", kind).param("at", Timestamp.from(eventTime))
                .param("outcome", PENDING).update() == 1;
    }

    /** Records what became of a claimed event. */
    void outcome(String eventId, String outcome) {
        jdbc.sql("UPDATE processed_messages SET outcome = :outcome WHERE event_id = :id")
                .param("outcome", outcome).param("id", eventId).update();
    }

    /** Forgets up to {@code limit} events processed before {@code cutoff}; returns how many. */
    int prune(Instant cutoff, int limit) {
        return jdbc.sql("""
                        DELETE FROM processed_messages WHERE event_id IN (
                            SELECT event_id FROM processed_messages WHERE processed_at < :cutoff LIMIT :limit)""")
                .param("cutoff", Timestamp.from(cutoff)).param("limit", limit).update();
    }
}
