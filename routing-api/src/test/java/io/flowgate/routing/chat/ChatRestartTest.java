package io.flowgate.routing.chat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.InboundUpdate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routing-api stopped in the middle of conversations and started again on the same database and broker:
 * every conversation continues where it was, a message written while nothing ran is answered, and nothing
 * is answered or emitted twice. Started while Kafka is away, it starts, stays quiet and catches up.
 */
class ChatRestartTest {

    private static ChatTestBed bed;

    @BeforeAll
    static void start() {
        bed = ChatTestBed.start();
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    @Test
    void restartInTheMiddleOfAConversationLosesAndDoublesNothing() throws Exception {
        WhatsAppUser quinn = new WhatsAppUser("15550005001");
        WhatsAppUser rae = new WhatsAppUser("15550005002");
        bed.produce(quinn.text("hi"), quinn.text("Quinn Hale"), quinn.text("15000"), rae.text("hello"));
        bed.awaitOutgoing(quinn.waId(), 3);
        bed.awaitOutgoing(rae.waId(), 1);
        bed.awaitConsumed(ChatTestBed.GROUP);

        bed.stopApp();
        InboundUpdate whileDown = quinn.listReply("automotive", "Automotive");
        bed.produce(whileDown, rae.text("Rae Lin"));
        bed.startAgain();

        assertThat(bed.awaitOutcome(whileDown.eventId())).isEqualTo("answered");
        InboundUpdate last = quinn.buttonReply("later", "Later");
        bed.produce(last, rae.text("800"));
        assertThat(bed.awaitOutcome(last.eventId())).isEqualTo("completed");
        bed.awaitOutgoing(rae.waId(), 3);
        bed.awaitConsumed(ChatTestBed.GROUP);

        List<JsonNode> sent = bed.outgoing(quinn.waId());
        assertThat(sent).extracting(m -> m.path("type").asText() + ":" + m.at("/interactive/type").asText(""))
                .containsExactly("text:", "text:", "interactive:list", "interactive:button", "text:");
        assertThat(bed.lead(quinn.waId()).get("current_state")).as("40 + 15 + 0 is below 60").isEqualTo("NURTURE");
        assertThat(bed.lead(quinn.waId()).get("qualification_score")).isEqualTo(55);
        assertThat(bed.outgoing(rae.waId())).hasSize(3);
        assertThat(bed.lead(rae.waId()).get("current_state")).isEqualTo("ASK_INDUSTRY");

        bed.awaitEvents(quinn.waId(), 5, 5);
        bed.awaitEvents(rae.waId(), 3, 3);
        Thread.sleep(1_000); // a duplicate would arrive right behind
        assertThat(bed.leadUpdates(quinn.waId())).hasSize(5);
        assertThat(bed.transitions(quinn.waId())).extracting(t -> t.path("to_screen").asText())
                .containsExactly("ASK_NAME", "ASK_BUDGET", "ASK_INDUSTRY", "ASK_TIMELINE", "NURTURE");
        assertThat(bed.eventIdCounts(quinn.waId())).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(bed.eventIdCounts(rae.waId())).hasSize(6).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    }

    @Test
    void startsWithoutKafkaQuietlyAndAnswersOnceKafkaIsBack() throws Exception {
        WhatsAppUser sam = new WhatsAppUser("15550005003");
        bed.stopApp();
        bed.broker().stop();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            bed.startAgain();
            Thread.sleep(3_000); // several of the availability checks' rounds
        } finally {
            root.detachAppender(logs);
        }
        // the test's own Kafka clients complain; routing-api's chat consumer must not exist, so cannot
        assertThat(logs.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .filteredOn(e -> e.getLoggerName().startsWith("io.flowgate.routing.chat")
                        || e.getFormattedMessage().contains("flowgate-routing-chat"))
                .isEmpty();

        bed.broker().start();
        InboundUpdate hello = sam.text("hi");
        bed.produce(hello);
        assertThat(bed.awaitOutcome(hello.eventId())).isEqualTo("started");
        assertThat(bed.outgoing(sam.waId())).hasSize(1);
    }
}
