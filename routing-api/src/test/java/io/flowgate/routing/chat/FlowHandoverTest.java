package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.InboundUpdate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chat state can hand the user into a WhatsApp Flow: a flow token is minted, the Flow message queued with
 * the session as its correlation, and the Flow's completion ({@code interactive.nfm_reply}) joins back to the
 * conversation by its flow token or, when the client left the token out, by the {@code context.id} of the
 * Flow message it answers.
 */
class FlowHandoverTest {

    private static final String MACHINE = """
            {
              "start": "ASK_NAME",
              "analytics_fields": ["slot"],
              "states": {
                "ASK_NAME": {
                  "question": {"text": "Hi! Your name?"},
                  "answer": {"type": "text"},
                  "store": "name",
                  "next": "BOOK"
                },
                "BOOK": {
                  "flow": {"flow_id": "demo_booking", "text": "Pick a time for your demo, {{name}}", "cta": "Book a demo"},
                  "score": "answer.slot.startsWith('tue') ? 50 : 10",
                  "next": [{"when": "score >= 50", "to": "BOOKED_TUESDAY"}, {"to": "BOOKED"}]
                },
                "BOOKED_TUESDAY": {"end": true, "message": "See you on Tuesday, {{name}}."},
                "BOOKED": {"end": true, "message": "See you soon, {{name}}."}
              }
            }""";

    private static ChatTestBed bed;

    @BeforeAll
    static void start() {
        bed = ChatTestBed.start(Map.of("flowgate.chat.default-machine", "demo_chat"));
        var answer = bed.app().admin("PUT", "/api/chat-machines/demo_chat", MACHINE);
        assertThat(answer.status()).as(answer.raw()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    @Test
    void flowCompletionJoinsByItsFlowToken() {
        WhatsAppUser kim = new WhatsAppUser("15550003001");
        JsonNode flowMessage = handIntoFlow(kim);
        String token = flowMessage.at("/interactive/action/parameters/flow_token").asText();
        assertThat(flowMessage.at("/interactive/body/text").asText()).isEqualTo("Pick a time for your demo, Kim");
        assertThat(flowMessage.at("/interactive/action/parameters/flow_id").asText()).isEqualTo("demo_booking");
        assertThat(token).hasSize(43);
        Map<String, Object> session = flowSessionOf(kim.waId());
        assertThat(session.get("flow_id")).isEqualTo("demo_booking");
        assertThat(bed.lead(kim.waId()).get("flow_session_id")).isEqualTo(session.get("session_id"));

        InboundUpdate done = kim.flowCompletion("{\"flow_token\":\"" + token + "\",\"slot\":\"tue-10\",\"seats\":3}", null);
        bed.produce(done);
        assertThat(bed.awaitOutcome(done.eventId())).isEqualTo("completed");

        assertThat(bed.lead(kim.waId()).get("current_state")).isEqualTo("BOOKED_TUESDAY");
        assertThat(bed.lead(kim.waId()).get("qualification_score")).isEqualTo(50);
        assertThat(bed.leadData(kim.waId()).path("slot").asText()).isEqualTo("tue-10");
        assertThat(bed.leadData(kim.waId()).path("seats").asInt()).isEqualTo(3);
        assertThat(bed.leadData(kim.waId()).has("flow_token")).as("the token is a credential, never stored").isFalse();
        assertThat(bed.outgoing(kim.waId()).get(2).at("/text/body").asText()).isEqualTo("See you on Tuesday, Kim.");
        bed.awaitEvents(kim.waId(), 3, 3);
        JsonNode last = bed.transitions(kim.waId()).get(2);
        assertThat(last.path("from_screen").asText() + ">" + last.path("to_screen").asText()).isEqualTo("BOOK>BOOKED_TUESDAY");
        assertThat(last.path("fields").path("slot").asText()).isEqualTo("tue-10");
        assertThat(last.path("completed").asBoolean()).isTrue();
    }

    @Test
    void flowCompletionWithoutTokenJoinsByTheFlowMessageItAnswers() {
        WhatsAppUser lou = new WhatsAppUser("15550003002");
        handIntoFlow(lou);
        // what the sender does once the Cloud API accepted the Flow message: the wamid it got
        String wamid = "wamid.flow-message-" + lou.waId();
        bed.jdbc().sql("""
                        UPDATE outgoing_messages SET wamid = ?, status = 'sent', sent_at = now()
                        WHERE message_id = (SELECT max(message_id) FROM outgoing_messages WHERE wa_id = ?)""")
                .params(wamid, lou.waId()).update();

        InboundUpdate done = lou.flowCompletion("{\"slot\":\"fri-16\"}", wamid);
        bed.produce(done);
        assertThat(bed.awaitOutcome(done.eventId())).isEqualTo("completed");
        assertThat(bed.lead(lou.waId()).get("current_state")).isEqualTo("BOOKED");
        assertThat(bed.leadData(lou.waId()).path("slot").asText()).isEqualTo("fri-16");
    }

    @Test
    void aCompletionOfSomeoneElsesFlowAdvancesNothing() {
        WhatsAppUser max = new WhatsAppUser("15550003003");
        WhatsAppUser ned = new WhatsAppUser("15550003004");
        String maxToken = handIntoFlow(max).at("/interactive/action/parameters/flow_token").asText();
        handIntoFlow(ned);

        InboundUpdate stolen = ned.flowCompletion("{\"flow_token\":\"" + maxToken + "\",\"slot\":\"tue-09\"}", null);
        InboundUpdate typed = ned.text("tuesday please");
        bed.produce(stolen, typed);
        assertThat(bed.awaitOutcome(stolen.eventId())).isEqualTo("unmatched_flow_reply");
        assertThat(bed.awaitOutcome(typed.eventId())).as("a Flow state waits for the Flow").isEqualTo("retried");
        assertThat(bed.lead(ned.waId()).get("current_state")).isEqualTo("BOOK");
        assertThat(bed.leadData(ned.waId()).has("slot")).isFalse();
        assertThat(bed.outgoing(ned.waId()).get(2).at("/text/body").asText()).isEqualTo("Please complete the form above to continue.");
        assertThat(bed.lead(max.waId()).get("current_state")).isEqualTo("BOOK");
    }

    /** Writes hi and a name; returns the queued Flow message. */
    private static JsonNode handIntoFlow(WhatsAppUser user) {
        bed.produce(user.text("hi"), user.text(user.waId().endsWith("3001") ? "Kim" : "Someone"));
        List<JsonNode> sent = bed.awaitOutgoing(user.waId(), 2);
        JsonNode flow = sent.get(1);
        assertThat(flow.at("/interactive/type").asText()).isEqualTo("flow");
        String correlation = bed.jdbc().sql("SELECT correlation FROM outgoing_messages WHERE wa_id = ? ORDER BY message_id DESC LIMIT 1")
                .param(user.waId()).query(String.class).single();
        assertThat(UUID.fromString(correlation)).isEqualTo(flowSessionOf(user.waId()).get("session_id"));
        return flow;
    }

    private static Map<String, Object> flowSessionOf(String waId) {
        return bed.jdbc().sql("SELECT session_id, flow_id, status FROM flow_sessions WHERE wa_id = ?").param(waId).query().singleRow();
    }
}
