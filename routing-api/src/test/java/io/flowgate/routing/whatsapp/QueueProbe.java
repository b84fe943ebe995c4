package io.flowgate.routing.whatsapp;

import io.flowgate.routing.support.RoutingApiInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;

/**
 * Queues messages the way the chat does (through {@link OutgoingMessages}, inside a transaction of a
 * running routing-api) and reads back what became of them in {@code outgoing_messages}.
 */
final class QueueProbe {

    /** A row of {@code outgoing_messages} as the tests look at it. */
    record Row(long messageId, String status, int attempts, String wamid, String lastError, Integer lastErrorCode) {
    }

    private final RoutingApiInstance api;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    QueueProbe(RoutingApiInstance api) {
        this.api = api;
        this.jdbc = api.context().getBean(JdbcClient.class);
        this.tx = api.context().getBean(TransactionTemplate.class);
    }

    /** Queues one text message in its own committed transaction. */
    long enqueueText(String waId, String text) {
        return enqueueText(waId, text, null);
    }

    long enqueueText(String waId, String text, String correlation) {
        long[] id = new long[1];
        inTransaction(messages -> id[0] = messages.enqueue(waId, Messages.text(text), correlation));
        return id[0];
    }

    /** Runs {@code work} in one transaction that commits. */
    void inTransaction(Consumer<OutgoingMessages> work) {
        OutgoingMessages messages = api.context().getBean(OutgoingMessages.class);
        tx.executeWithoutResult(status -> work.accept(messages));
    }

    Row row(long messageId) {
        return jdbc.sql("""
                        SELECT message_id, status, attempts, wamid, last_error, last_error_code
                        FROM outgoing_messages WHERE message_id = :id""").param("id", messageId)
                .query((rs, n) -> new Row(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                        (Integer) rs.getObject(6)))
                .single();
    }

    /** Waits until every message has reached one of the final statuses; returns their rows. */
    List<Row> awaitFinal(Duration atMost, List<Long> messageIds) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() ->
                messageIds.stream().map(this::row).allMatch(r -> Set.of("sent", "failed").contains(r.status())));
        return messageIds.stream().map(this::row).toList();
    }

    Row awaitFinal(long messageId) {
        return awaitFinal(Duration.ofSeconds(20), List.of(messageId)).get(0);
    }

    double counter(String name, String... tags) {
        Counter counter = api.context().getBean(MeterRegistry.class).find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    double gauge(String name) {
        return api.context().getBean(MeterRegistry.class).get(name).gauge().value();
    }
}
