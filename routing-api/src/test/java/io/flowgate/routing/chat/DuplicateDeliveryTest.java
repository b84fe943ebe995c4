package io.flowgate.routing.chat;

import io.flowgate.events.InboundUpdate;
import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Meta delivers at least once, and ingest-api may write an update twice: the same message five times,
 * written concurrently, changes the lead once and queues one reply. Two routing-api instances on the same
 * database consume in two separate consumer groups here, so that every copy is also processed by two
 * instances at the same moment: the deduplication and the row lock, not the partitioning, must hold.
 */
class DuplicateDeliveryTest {

    private static final String SECOND_GROUP = "flowgate-routing-chat-second";
    private static ChatTestBed bed;
    private static RoutingApiInstance second;

    @BeforeAll
    static void start() {
        bed = ChatTestBed.start();
        second = bed.sibling(Map.of("flowgate.chat.consumer-group", SECOND_GROUP));
    }

    @AfterAll
    static void stop() {
        second.close();
        bed.close();
    }

    @Test
    void duplicateDeliveryChangesNothing() throws Exception {
        WhatsAppUser ivy = new WhatsAppUser("15550002001");
        InboundUpdate hello = ivy.text("hello");
        deliverFiveTimesAtOnce(hello);
        InboundUpdate name = ivy.text("Ivy Chen");
        deliverFiveTimesAtOnce(name);
        InboundUpdate budget = ivy.text("4000");
        deliverFiveTimesAtOnce(budget);
        bed.awaitConsumed(ChatTestBed.GROUP);
        bed.awaitConsumed(SECOND_GROUP);

        assertThat(bed.outcome(hello.eventId())).contains("started");
        assertThat(bed.outcome(name.eventId())).contains("answered");
        assertThat(bed.outcome(budget.eventId())).contains("answered");
        assertThat(bed.outgoing(ivy.waId())).extracting(m -> m.path("type").asText() + ":" + m.at("/text/body").asText(""))
                .containsExactly("text:Welcome! What is your full name?",
                        "text:Thanks, Ivy Chen. What is your monthly budget in USD?",
                        "interactive:");
        Map<String, Object> lead = bed.lead(ivy.waId());
        assertThat(lead.get("current_state")).isEqualTo("ASK_INDUSTRY");
        assertThat(lead.get("qualification_score")).as("4000 scores 15, once").isEqualTo(15);
        assertThat(lead.get("retries")).isEqualTo(0);
        assertThat(bed.count("processed_messages", "wa_id", ivy.waId())).isEqualTo(3);

        bed.awaitEvents(ivy.waId(), 3, 3);
        Thread.sleep(1_000); // a duplicate would arrive right behind
        assertThat(bed.leadUpdates(ivy.waId())).hasSize(3);
        assertThat(bed.transitions(ivy.waId())).hasSize(3);
        assertThat(bed.eventIdCounts(ivy.waId())).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    }

    @Test
    void aDuplicateOfAnOldAnswerDoesNotMoveTheConversationAgain() {
        WhatsAppUser jon = new WhatsAppUser("15550002002");
        InboundUpdate hello = jon.text("hi");
        InboundUpdate name = jon.text("Jon Park");
        bed.produce(hello, name);
        bed.awaitOutgoing(jon.waId(), 2);
        bed.produce(jon.text("300"));
        bed.awaitOutgoing(jon.waId(), 3);
        // Meta retries the name a day later: it is recognized, not taken as the answer to the budget
        bed.produce(name, name);
        bed.awaitConsumed(ChatTestBed.GROUP);
        bed.awaitConsumed(SECOND_GROUP);
        assertThat(bed.outgoing(jon.waId())).hasSize(3);
        assertThat(bed.lead(jon.waId()).get("current_state")).isEqualTo("ASK_INDUSTRY");
        assertThat(bed.leadData(jon.waId()).path("budget").asLong()).isEqualTo(300);
    }

    private static void deliverFiveTimesAtOnce(InboundUpdate update) {
        List<CompletableFuture<Void>> writes = IntStream.range(0, 5)
                .mapToObj(i -> CompletableFuture.runAsync(() -> bed.produce(update))).toList();
        writes.forEach(CompletableFuture::join);
    }
}
