package io.flowgate.routing.whatsapp;

import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.whatsapp.QueueProbe.Row;
import io.flowgate.testkit.GraphApiStandIn;
import io.flowgate.testkit.RecordedMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two routing-api instances on one database, both sending from the same queue, as in a scaled-out
 * deployment: each message goes out once, each user's messages in order, and the number's rate limit
 * holds for both together.
 */
class TwoSendersTest {

    private static final int MAX_PER_SECOND = 20;
    private static final int SLOW_ANSWER_MILLIS = 30;

    private static GraphApiStandIn graph;
    private static RoutingApiInstance first;
    private static RoutingApiInstance second;

    @BeforeAll
    static void start() {
        graph = GraphApiStandIn.start();
        first = sender(RoutingApiInstance.builder());
        second = sender(RoutingApiInstance.builder().database(first.dbUrl()).keys(first.keys()));
    }

    private static RoutingApiInstance sender(RoutingApiInstance.Builder builder) {
        graph.senderProperties().forEach(builder::property);
        return builder
                .property("flowgate.whatsapp.per-user-interval", "50ms")
                .property("flowgate.whatsapp.max-per-second", MAX_PER_SECOND)
                // few calls at once per instance: the work has to be shared to be done
                .property("flowgate.whatsapp.max-in-flight", 2)
                .property("flowgate.whatsapp.poll-interval", "20ms")
                .start();
    }

    @AfterAll
    static void stop() {
        second.close();
        first.close();
        graph.close();
    }

    @Test
    void twoInstancesSendEveryMessageExactlyOnceAndInOrderPerUser() {
        List<String> users = new ArrayList<>();
        for (int u = 0; u < 15; u++) {
            users.add("1555030" + String.format("%04d", u));
            graph.accept(users.get(u), SLOW_ANSWER_MILLIS);
        }
        double sentByFirst = new QueueProbe(first).counter("flowgate.whatsapp.sent", "outcome", "sent");
        double sentBySecond = new QueueProbe(second).counter("flowgate.whatsapp.sent", "outcome", "sent");
        List<Long> ids = new ArrayList<>();
        // half of it queued through each instance, as the chat would on either
        for (int round = 0; round < 4; round++) {
            QueueProbe via = new QueueProbe(round % 2 == 0 ? first : second);
            int message = round + 1;
            via.inTransaction(messages -> users.forEach(user ->
                    ids.add(messages.enqueue(user, Messages.text(user + "/" + message), null))));
        }

        List<Row> rows = new QueueProbe(first).awaitFinal(Duration.ofSeconds(60), ids);

        assertThat(rows).extracting(Row::status).containsOnly("sent");
        assertThat(rows).extracting(Row::attempts).containsOnly(1);
        for (String user : users) {
            assertThat(graph.recordedTo(user)).extracting(RecordedMessage::text)
                    .containsExactly(user + "/1", user + "/2", user + "/3", user + "/4");
        }
        double byFirst = new QueueProbe(first).counter("flowgate.whatsapp.sent", "outcome", "sent") - sentByFirst;
        double bySecond = new QueueProbe(second).counter("flowgate.whatsapp.sent", "outcome", "sent") - sentBySecond;
        assertThat(byFirst + bySecond).isEqualTo(60);
        assertThat(byFirst).as("sent by the first instance").isPositive();
        assertThat(bySecond).as("sent by the second instance").isPositive();
    }

    @Test
    void rateLimitOfTheNumberHoldsForBothInstancesTogether() {
        int count = 3 * MAX_PER_SECOND;
        List<String> users = new ArrayList<>();
        for (int u = 0; u < count; u++) {
            users.add("1555031" + String.format("%04d", u));
            graph.accept(users.get(u), 0);
        }
        List<Long> ids = new ArrayList<>();
        new QueueProbe(first).inTransaction(messages -> users.forEach(user ->
                ids.add(messages.enqueue(user, Messages.text("rate " + user), null))));

        new QueueProbe(first).awaitFinal(Duration.ofSeconds(60), ids);

        List<RecordedMessage> requests = graph.recorded().stream().filter(r -> r.text().startsWith("rate ")).toList();
        assertThat(requests).hasSize(count);
        Map<String, Long> perUser = requests.stream().collect(Collectors.groupingBy(r -> r.body().path("to").asText(), Collectors.counting()));
        assertThat(perUser.values()).containsOnly(1L);
        // a token bucket of one second's burst: n messages need at least (n - burst) / rate seconds. Two
        // buckets, one per instance, would let them through in a quarter of that.
        Duration spread = Duration.between(requests.stream().map(RecordedMessage::receivedAt).min(Comparator.naturalOrder()).orElseThrow(),
                requests.stream().map(RecordedMessage::receivedAt).max(Comparator.naturalOrder()).orElseThrow());
        Duration least = Duration.ofMillis(1000L * (count - MAX_PER_SECOND) / MAX_PER_SECOND);
        assertThat(spread).isGreaterThanOrEqualTo(least.multipliedBy(9).dividedBy(10));
    }
}
