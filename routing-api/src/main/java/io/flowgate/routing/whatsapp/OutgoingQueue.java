package io.flowgate.routing.whatsapp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The sender's side of {@code outgoing_messages}: claiming due messages and recording what became of
 * them, each in its own short transaction, so that several routing-api instances can send from one
 * queue at once and no row lock is held while the Cloud API answers.
 *
 * <p>A claim is what keeps a message from being sent twice: it moves the message's {@code not_before}
 * a lease ahead and counts the attempt, so no other instance finds it due; the outcome is recorded only
 * if {@code attempts} is still the claim's, i.e. nobody took the message over after the lease ran out.
 * Claims of all instances queue behind the lock of the number's {@code outgoing_rate} row, which holds
 * the token bucket of the per-number rate limit; each claim therefore sees every claim committed before it.
 *
 * <p>Order per user: only a user's oldest queued message can be claimed, so a message in backoff holds
 * the ones queued after it. Pacing per user: after a send, {@code outgoing_pacing} keeps the user's
 * next messages back for the per-user interval, and their {@code not_before} shows it.
 */
@Component
class OutgoingQueue {

    private static final Logger log = LoggerFactory.getLogger(OutgoingQueue.class);

    /** A claimed message, to be sent now; {@code attempt} is the claim's attempt number, the first being 1. */
    record Claimed(long messageId, String waId, String payload, int attempt) {
    }

    /** What a claim got; when the rate limit allowed nothing, {@code tokenWait} says how long until it does. */
    record Claim(List<Claimed> messages, Duration tokenWait) {
    }

    /** A row as ops see it: no message body, the recipient masked. */
    record Listed(long messageId, String waId, String type, String correlation, String status, int attempts,
                  OffsetDateTime notBefore, OffsetDateTime createdAt, OffsetDateTime sentAt, String wamid,
                  String lastError, Integer lastErrorCode) {
    }

    private static final String LOCK_RATE = """
            SELECT tokens, refilled_at, clock_timestamp() AS now FROM outgoing_rate
            WHERE phone_number_id = :number FOR UPDATE""";
    // a user's head only (no older queued message), not paced, due; oldest first
    private static final String SELECT_DUE = """
            SELECT m.message_id, m.wa_id, m.payload::text AS payload, m.attempts
            FROM outgoing_messages m
            WHERE m.status = 'queued' AND m.not_before <= :now
              AND NOT EXISTS (SELECT 1 FROM outgoing_pacing p WHERE p.wa_id = m.wa_id AND p.next_send_at > :now)
              AND NOT EXISTS (SELECT 1 FROM outgoing_messages e
                              WHERE e.wa_id = m.wa_id AND e.status = 'queued' AND e.message_id < m.message_id)
            ORDER BY m.not_before, m.message_id
            LIMIT :limit
            FOR UPDATE OF m SKIP LOCKED""";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    OutgoingQueue(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Claims up to {@code limit} due messages, as many as the number's rate limit allows now.
     *
     * @param number       the phone number id, whose rate limit this is
     * @param maxPerSecond the rate, and the largest burst
     * @param lease        how long the claimed messages are reserved for this instance
     */
    Claim claim(String number, int limit, int maxPerSecond, Duration lease) {
        return tx.execute(status -> {
            Bucket bucket = lockBucket(number, maxPerSecond);
            double elapsed = Duration.between(bucket.refilledAt(), bucket.now()).toNanos() / 1e9;
            double available = Math.min(maxPerSecond, bucket.tokens() + elapsed * maxPerSecond);
            int wanted = (int) Math.min(limit, Math.floor(available));
            if (wanted < 1) {
                long waitMillis = (long) Math.ceil((1 - available) * 1000 / maxPerSecond);
                return new Claim(List.of(), Duration.ofMillis(Math.max(1, waitMillis)));
            }
            List<Claimed> due = jdbc.sql(SELECT_DUE).param("now", bucket.now()).param("limit", wanted)
                    .query((rs, n) -> new Claimed(rs.getLong("message_id"), rs.getString("wa_id"),
                            rs.getString("payload"), rs.getInt("attempts") + 1))
                    .list();
            if (!due.isEmpty()) {
                jdbc.sql("UPDATE outgoing_messages SET attempts = attempts + 1, not_before = :until WHERE message_id IN (:ids)")
                        .param("until", bucket.now().plus(lease))
                        .param("ids", due.stream().map(Claimed::messageId).toList())
                        .update();
                jdbc.sql("UPDATE outgoing_rate SET tokens = :tokens, refilled_at = :now WHERE phone_number_id = :number")
                        .param("tokens", available - due.size()).param("now", bucket.now()).param("number", number)
                        .update();
            }
            return new Claim(due, Duration.ZERO);
        });
    }

    private Bucket lockBucket(String number, int capacity) {
        for (int tries = 0; ; tries++) {
            List<Bucket> rows = jdbc.sql(LOCK_RATE).param("number", number)
                    .query((rs, n) -> new Bucket(rs.getDouble("tokens"), timestamp(rs, "refilled_at"), timestamp(rs, "now")))
                    .list();
            if (!rows.isEmpty()) {
                return rows.get(0);
            }
            if (tries > 0) {
                throw new IllegalStateException("outgoing_rate row of the phone number vanished while claiming");
            }
            jdbc.sql("""
                            INSERT INTO outgoing_rate (phone_number_id, tokens, refilled_at) VALUES (:number, :tokens, clock_timestamp())
                            ON CONFLICT (phone_number_id) DO NOTHING""")
                    .param("number", number).param("tokens", (double) capacity).update();
        }
    }

    /**
     * Records a message sent and paces its user: nothing more to them for {@code perUserInterval}.
     *
     * @return false when the claim was no longer this one's (the lease ran out and another instance took over)
     */
    boolean markSent(Claimed message, String wamid, Duration perUserInterval) {
        try {
            return Boolean.TRUE.equals(tx.execute(status -> sent(message, wamid, perUserInterval)));
        } catch (DuplicateKeyException sameWamidTwice) {
            // Meta's ids are unique; a stand-in server's may not be. The send happened: record it without the id
            log.warn("wamid of message {} is already recorded for another message; recording it sent without one", message.messageId());
            return Boolean.TRUE.equals(tx.execute(status -> sent(message, null, perUserInterval)));
        }
    }

    private boolean sent(Claimed message, String wamid, Duration perUserInterval) {
        int updated = jdbc.sql("""
                        UPDATE outgoing_messages SET status = 'sent', wamid = :wamid, sent_at = clock_timestamp(),
                               last_error = NULL, last_error_code = NULL
                        WHERE message_id = :id AND attempts = :attempt AND status = 'queued'""")
                .param("wamid", wamid).param("id", message.messageId()).param("attempt", message.attempt())
                .update();
        if (updated == 0) {
            return false;
        }
        if (!perUserInterval.isZero()) {
            long millis = perUserInterval.toMillis();
            jdbc.sql("""
                            INSERT INTO outgoing_pacing (wa_id, next_send_at) VALUES (:wa, clock_timestamp() + :ms * interval '1 millisecond')
                            ON CONFLICT (wa_id) DO UPDATE SET next_send_at = greatest(outgoing_pacing.next_send_at, EXCLUDED.next_send_at)""")
                    .param("wa", message.waId()).param("ms", millis).update();
            // not needed for correctness (the pacing row decides); keeps the user's burst out of every claim's
            // scan and shows ops when each message will go
            jdbc.sql("""
                            UPDATE outgoing_messages SET not_before = greatest(not_before, clock_timestamp() + :ms * interval '1 millisecond')
                            WHERE wa_id = :wa AND status = 'queued'""")
                    .param("wa", message.waId()).param("ms", millis).update();
        }
        return true;
    }

    /**
     * Puts a message back in the queue for a retry after {@code delay}. An attempt that does not
     * {@code count} (the configuration was at fault, not the message) is given back.
     */
    boolean reschedule(Claimed message, Duration delay, boolean counts, Integer code, String error) {
        return jdbc.sql("""
                        UPDATE outgoing_messages
                        SET not_before = clock_timestamp() + :ms * interval '1 millisecond', attempts = attempts - :refund,
                            last_error = :error, last_error_code = :code
                        WHERE message_id = :id AND attempts = :attempt AND status = 'queued'""")
                .param("ms", delay.toMillis()).param("refund", counts ? 0 : 1).param("error", error).param("code", code)
                .param("id", message.messageId()).param("attempt", message.attempt())
                .update() == 1;
    }

    boolean markFailed(Claimed message, Integer code, String error) {
        return jdbc.sql("""
                        UPDATE outgoing_messages SET status = 'failed', last_error = :error, last_error_code = :code
                        WHERE message_id = :id AND attempts = :attempt AND status = 'queued'""")
                .param("error", error).param("code", code)
                .param("id", message.messageId()).param("attempt", message.attempt())
                .update() == 1;
    }

    /** Holds every instance's sending for the number: no tokens until {@code pause} from now. */
    void pauseAll(String number, Duration pause) {
        jdbc.sql("""
                        UPDATE outgoing_rate SET tokens = 0, refilled_at = greatest(refilled_at, clock_timestamp() + :ms * interval '1 millisecond')
                        WHERE phone_number_id = :number""")
                .param("ms", pause.toMillis()).param("number", number).update();
    }

    /** Messages waiting to be sent (due or not). */
    long depth() {
        return jdbc.sql("SELECT count(*) FROM outgoing_messages WHERE status = 'queued'").query(Long.class).single();
    }

    /** Deletes pacing rows whose time has passed: they hold nothing back any more. */
    int forgetPastPacing() {
        return jdbc.sql("DELETE FROM outgoing_pacing WHERE next_send_at < clock_timestamp()").update();
    }

    /** Queued messages in the order they will go; sent and failed ones newest first. */
    List<Listed> list(String status, int limit) {
        String order = "queued".equals(status) ? "not_before, message_id" : "message_id DESC";
        return jdbc.sql("""
                        SELECT message_id, wa_id, payload->>'type' AS type, correlation, status, attempts, not_before,
                               created_at, sent_at, wamid, last_error, last_error_code
                        FROM outgoing_messages WHERE status = :status ORDER BY""" + " " + order + " LIMIT :limit")
                .param("status", status).param("limit", limit)
                .query((rs, n) -> new Listed(rs.getLong("message_id"), rs.getString("wa_id"), rs.getString("type"),
                        rs.getString("correlation"), rs.getString("status"), rs.getInt("attempts"),
                        timestamp(rs, "not_before"), timestamp(rs, "created_at"), timestamp(rs, "sent_at"),
                        rs.getString("wamid"), rs.getString("last_error"), (Integer) rs.getObject("last_error_code")))
                .list();
    }

    private static OffsetDateTime timestamp(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class);
    }

    private record Bucket(double tokens, OffsetDateTime refilledAt, OffsetDateTime now) {
    }
}
