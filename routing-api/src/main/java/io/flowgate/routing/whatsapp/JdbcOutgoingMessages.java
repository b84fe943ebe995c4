package io.flowgate.routing.whatsapp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.Optional;

/**
 * {@link OutgoingMessages} on the {@code outgoing_messages} table: a queued message is a row written in
 * the caller's transaction, so it exists exactly when the state change that produced it committed. The
 * commit wakes this instance's {@link OutgoingSender}, so a reply leaves within milliseconds, not a poll interval.
 */
@Component
class JdbcOutgoingMessages implements OutgoingMessages {

    static final int MAX_PAYLOAD_CHARS = 64 * 1024;

    private final JdbcClient jdbc;
    private final OutgoingSender sender;

    JdbcOutgoingMessages(JdbcClient jdbc, OutgoingSender sender) {
        this.jdbc = jdbc;
        this.sender = sender;
    }

    @Override
    public long enqueue(String waId, ObjectNode message, String correlation) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("a message must be queued inside the transaction of the change that produced it");
        }
        String payload = message.toString();
        if (payload.length() > MAX_PAYLOAD_CHARS) {
            throw new IllegalArgumentException("message of " + payload.length() + " characters; at most " + MAX_PAYLOAD_CHARS);
        }
        long id = jdbc.sql("""
                        INSERT INTO outgoing_messages (wa_id, payload, correlation) VALUES (:wa, CAST(:payload AS jsonb), :correlation)
                        RETURNING message_id""")
                .param("wa", waId).param("payload", payload).param("correlation", correlation)
                .query(Long.class).single();
        wakeSenderAfterCommit();
        return id;
    }

    /** Once per transaction, however many messages it queues; a rolled-back one wakes nobody. */
    private void wakeSenderAfterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            return; // the sender's poll finds the message
        }
        for (TransactionSynchronization registered : TransactionSynchronizationManager.getSynchronizations()) {
            if (registered instanceof WakeSender) {
                return;
            }
        }
        TransactionSynchronizationManager.registerSynchronization(new WakeSender());
    }

    private final class WakeSender implements TransactionSynchronization {
        @Override
        public void afterCommit() {
            sender.wake();
        }
    }

    @Override
    public Optional<String> correlationOf(String wamid) {
        return jdbc.sql("SELECT correlation FROM outgoing_messages WHERE wamid = :wamid").param("wamid", wamid)
                .query(String.class).optional();
    }
}
