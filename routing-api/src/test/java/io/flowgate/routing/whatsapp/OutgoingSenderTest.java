package io.flowgate.routing.whatsapp;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.whatsapp.QueueProbe.Row;
import io.flowgate.testkit.GraphApiStandIn;
import io.flowgate.testkit.RecordedMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.flowgate.testkit.GraphApiStandIn.graphError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sender of a real routing-api against a real Graph API stand-in (the test kit's) and PostgreSQL: what is
 * sent, in which order and spacing, what is retried and what fails. Intervals and backoffs are set small
 * so the behaviour shows in well under a second.
 */
class OutgoingSenderTest {

    private static final Duration PER_USER_INTERVAL = Duration.ofMillis(300);
    private static final Duration PAIR_LIMIT_UNIT = Duration.ofMillis(200);

    private static GraphApiStandIn graph;
    private static RoutingApiInstance api;
    private static QueueProbe queue;

    @BeforeAll
    static void start() {
        graph = GraphApiStandIn.start();
        RoutingApiInstance.Builder builder = RoutingApiInstance.builder();
        graph.senderProperties().forEach(builder::property);
        api = builder
                .property("flowgate.whatsapp.per-user-interval", PER_USER_INTERVAL.toMillis() + "ms")
                .property("flowgate.whatsapp.pair-limit-backoff", PAIR_LIMIT_UNIT.toMillis() + "ms")
                .property("flowgate.whatsapp.retry-backoff", "50ms")
                .property("flowgate.whatsapp.max-backoff", "200ms")
                .property("flowgate.whatsapp.max-attempts", 3)
                .property("flowgate.whatsapp.poll-interval", "50ms")
                .start();
        queue = new QueueProbe(api);
    }

    @AfterAll
    static void stop() {
        api.close();
        graph.close();
    }

    @Test
    void queuedMessageIsSentOnceWithTokenRecipientAndItsWamidRecorded() {
        String user = "15550100001";
        graph.accept(user, "wamid.HBgLMTU1NTAxMDAwMDEVAgARGBI");

        long id = queue.enqueueText(user, "Hi, what is your name?", "flow-session-42");
        Row row = queue.awaitFinal(id);

        assertThat(row.status()).isEqualTo("sent");
        assertThat(row.wamid()).isEqualTo("wamid.HBgLMTU1NTAxMDAwMDEVAgARGBI");
        assertThat(row.attempts()).isEqualTo(1);
        List<RecordedMessage> requests = graph.recordedTo(user);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).authorization()).isEqualTo("Bearer " + GraphApiStandIn.ACCESS_TOKEN);
        JsonNode body = requests.get(0).body();
        assertThat(body.path("messaging_product").asText()).isEqualTo("whatsapp");
        assertThat(body.path("recipient_type").asText()).isEqualTo("individual");
        assertThat(body.path("to").asText()).isEqualTo(user);
        assertThat(body.path("type").asText()).isEqualTo("text");
        assertThat(body.path("text").path("body").asText()).isEqualTo("Hi, what is your name?");
        // what the chat joins a reply to the message with
        assertThat(api.context().getBean(OutgoingMessages.class).correlationOf(row.wamid()))
                .contains("flow-session-42");
    }

    @Test
    void burstToOneUserIsPacedInOrderWhileOtherUsersAreNotHeldBack() {
        String burstUser = "15550100002";
        String otherUser = "15550100003";
        graph.accept(burstUser, 0);
        graph.accept(otherUser, 0);

        List<Long> ids = new ArrayList<>();
        queue.inTransaction(messages -> {
            for (String text : List.of("one", "two", "three", "four")) {
                ids.add(messages.enqueue(burstUser, Messages.text(text), null));
            }
            ids.add(messages.enqueue(otherUser, Messages.text("other"), null));
        });
        List<Row> rows = queue.awaitFinal(Duration.ofSeconds(30), ids);

        assertThat(rows).extracting(Row::status).containsOnly("sent");
        List<RecordedMessage> burst = graph.recordedTo(burstUser);
        assertThat(burst).extracting(RecordedMessage::text).containsExactly("one", "two", "three", "four");
        for (int i = 1; i < burst.size(); i++) {
            assertThat(Duration.between(burst.get(i - 1).receivedAt(), burst.get(i).receivedAt()))
                    .as("gap before message %d", i + 1).isGreaterThanOrEqualTo(PER_USER_INTERVAL);
        }
        List<RecordedMessage> other = graph.recordedTo(otherUser);
        assertThat(other).hasSize(1);
        assertThat(other.get(0).receivedAt()).as("the other user's message waits for none of the burst but the first")
                .isBefore(burst.get(1).receivedAt());
    }

    @Test
    void serverErrorIsRetriedAndTheMessageSentOnce() {
        String user = "15550100004";
        graph.answerOnceThenAccept(user, 500, graphError(131000, "Something went wrong"));

        Row row = queue.awaitFinal(queue.enqueueText(user, "retried"));

        assertThat(row.status()).isEqualTo("sent");
        assertThat(row.attempts()).isEqualTo(2);
        assertThat(row.wamid()).startsWith("wamid.");
        assertThat(graph.recordedTo(user)).extracting(RecordedMessage::text).containsExactly("retried", "retried");
    }

    @Test
    void pairRateLimitIsRetriedAfterFourToTheXUnits() {
        String user = "15550100005";
        graph.answerOnceThenAccept(user, 400, graphError(131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"));

        Row row = queue.awaitFinal(queue.enqueueText(user, "paced by Meta"));

        assertThat(row.status()).isEqualTo("sent");
        List<RecordedMessage> requests = graph.recordedTo(user);
        assertThat(requests).hasSize(2);
        // first retry: X = 0, one unit
        assertThat(Duration.between(requests.get(0).receivedAt(), requests.get(1).receivedAt())).isGreaterThanOrEqualTo(PAIR_LIMIT_UNIT);
    }

    @Test
    void permanentErrorFailsAtOnceAndShowsInTableMetricLogAndAdminApi() {
        String user = "15550100006";
        graph.answer(user, 400, graphError(131047, "Re-engagement message"));
        double failedBefore = queue.counter("flowgate.whatsapp.failed", "code", "131047");
        ListAppender<ILoggingEvent> logs = capture();
        Row row;
        List<String> lines;
        try {
            row = queue.awaitFinal(queue.enqueueText(user, "outside the window"));
            // the metric and the log line follow the row's update
            await().atMost(Duration.ofSeconds(5)).until(() -> queue.counter("flowgate.whatsapp.failed", "code", "131047") > failedBefore);
            await().atMost(Duration.ofSeconds(5)).until(() -> !linesAbout(logs, row.messageId()).isEmpty());
            lines = linesAbout(logs, row.messageId());
        } finally {
            release(logs);
        }

        assertThat(row.status()).isEqualTo("failed");
        assertThat(row.attempts()).isEqualTo(1);
        assertThat(row.lastErrorCode()).isEqualTo(131047);
        assertThat(row.lastError()).contains("131047").contains("Re-engagement message");
        assertThat(graph.recordedTo(user)).hasSize(1);
        assertThat(queue.counter("flowgate.whatsapp.failed", "code", "131047")).isEqualTo(failedBefore + 1);
        assertThat(lines).singleElement().asString().contains("***0006").contains("131047")
                .doesNotContain(user).doesNotContain("outside the window");

        RoutingApiInstance.AdminAnswer listed = api.admin("GET", "/api/outgoing-messages?status=failed&limit=1000", null);
        assertThat(listed.status()).isEqualTo(200);
        JsonNode entry = null;
        for (JsonNode m : listed.json().path("messages")) {
            if (m.path("message_id").asLong() == row.messageId()) {
                entry = m;
            }
        }
        assertThat(entry).as("the failed message in the admin listing").isNotNull();
        assertThat(entry.path("wa_id").asText()).isEqualTo("***0006");
        assertThat(entry.path("last_error_code").asInt()).isEqualTo(131047);
        assertThat(entry.path("type").asText()).isEqualTo("text");
        assertThat(listed.raw()).doesNotContain(user).doesNotContain("outside the window");
        assertThat(api.adminAs(null, "GET", "/api/outgoing-messages", null).status()).isEqualTo(401);
    }

    @Test
    void messageFailsOnceItsAttemptsAreUsedUp() {
        String user = "15550100007";
        graph.answer(user, 503, "<html>Service Unavailable</html>");

        Row row = queue.awaitFinal(queue.enqueueText(user, "never answered"));

        assertThat(row.status()).isEqualTo("failed");
        assertThat(row.attempts()).isEqualTo(3);
        assertThat(row.lastError()).isEqualTo("gave up after 3 attempt(s): HTTP 503");
        assertThat(graph.recordedTo(user)).hasSize(3);
    }

    @Test
    void rolledBackTransactionsMessageIsNeverSent() {
        String user = "15550100008";
        graph.accept(user, 0);
        api.context().getBean(TransactionTemplate.class).executeWithoutResult(status -> {
            api.context().getBean(OutgoingMessages.class).enqueue(user, Messages.text("rolled back"), null);
            status.setRollbackOnly();
        });

        // queued after the rolled-back one: once it is sent, the sender has been past the other's place
        Row committed = queue.awaitFinal(queue.enqueueText(user, "committed"));

        assertThat(committed.status()).isEqualTo("sent");
        assertThat(graph.recordedTo(user)).extracting(RecordedMessage::text).containsExactly("committed");
    }

    private static List<String> linesAbout(ListAppender<ILoggingEvent> logs, long messageId) {
        synchronized (logs.list) {
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.contains("message " + messageId + " ")).toList();
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(OutgoingSender.class)).addAppender(appender);
        return appender;
    }

    private static void release(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(OutgoingSender.class)).detachAppender(appender);
    }
}
