package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.InboundUpdate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped example machine ({@code lead_qualification}) driven through a real Kafka broker and a real
 * routing-api: answers, invalid input, RESTART, bursts, late messages, delivery statuses, and the deletion
 * of a user's data. What the chat said is read from the outgoing-message queue; what it told the CRM and
 * analytics is read back from Kafka.
 */
class LeadQualificationTest {

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
    void aNulOrALoneSurrogateInATypedAnswerIsStoredMendedAndTheChatGoesOn() {
        WhatsAppUser nul = new WhatsAppUser("15550001077");
        bed.produce(nul.text("Hi"));
        bed.awaitOutgoing(nul.waId(), 1);
        InboundUpdate name = nul.text("Ana\u0000Lima\uD800");
        bed.produce(name);
        assertThat(bed.awaitOutcome(name.eventId())).as("not failed, not retried for ever").isNotEqualTo("failed");
        bed.awaitOutgoing(nul.waId(), 2);
        assertThat(bed.leadData(nul.waId()).path("name").asText()).isEqualTo("Ana\uFFFDLima\uFFFD");
        assertThat((String) bed.lead(nul.waId()).get("current_state")).isEqualTo("ASK_BUDGET");
    }

    @Test
    void validAnswersCompleteTheExampleWithItsScoreAndEachEventOnce() throws Exception {
        WhatsAppUser ana = new WhatsAppUser("15550001001");
        bed.produce(ana.text("Hi"));
        bed.awaitOutgoing(ana.waId(), 1);
        bed.produce(ana.text("Ana Lima"));
        bed.awaitOutgoing(ana.waId(), 2);
        bed.produce(ana.text("$7,500"));
        bed.awaitOutgoing(ana.waId(), 3);
        bed.produce(ana.listReply("retail", "Retail"));
        bed.awaitOutgoing(ana.waId(), 4);
        InboundUpdate last = ana.buttonReply("this_month", "This month");
        bed.produce(last);
        assertThat(bed.awaitOutcome(last.eventId())).isEqualTo("completed");

        List<JsonNode> sent = bed.outgoing(ana.waId());
        assertThat(sent).extracting(m -> m.path("type").asText() + ":" + m.at("/interactive/type").asText(""))
                .containsExactly("text:", "text:", "interactive:list", "interactive:button", "text:");
        assertThat(sent.get(0).at("/text/body").asText()).isEqualTo("Welcome! What is your full name?");
        assertThat(sent.get(1).at("/text/body").asText()).isEqualTo("Thanks, Ana Lima. What is your monthly budget in USD?");
        assertThat(sent.get(2).at("/interactive/action/sections/0/rows").findValuesAsText("id"))
                .containsExactly("retail", "ecommerce", "real_estate", "automotive", "finance", "other");
        assertThat(sent.get(3).at("/interactive/action/buttons").findValuesAsText("id"))
                .containsExactly("this_month", "1_3_months", "later");
        assertThat(sent.get(4).at("/text/body").asText()).startsWith("Great news, Ana Lima!");

        Map<String, Object> lead = bed.lead(ana.waId());
        assertThat(lead.get("status")).isEqualTo("completed");
        assertThat(lead.get("current_state")).isEqualTo("QUALIFIED");
        assertThat(lead.get("qualification_score")).as("budget 7500 +30, retail +20, this month +30").isEqualTo(80);
        assertThat(bed.leadData(ana.waId()))
                .isEqualTo(ChatTestBed.parse("{\"name\":\"Ana Lima\",\"budget\":7500,\"industry\":\"retail\",\"timeline\":\"this_month\"}"));

        bed.awaitEvents(ana.waId(), 5, 5);
        Thread.sleep(1_000); // a duplicate would arrive right behind
        List<JsonNode> updates = bed.leadUpdates(ana.waId());
        assertThat(updates).extracting(u -> u.at("/data/previous_state").asText() + ">" + u.at("/data/current_state").asText())
                .containsExactly(">ASK_NAME", "ASK_NAME>ASK_BUDGET", "ASK_BUDGET>ASK_INDUSTRY", "ASK_INDUSTRY>ASK_TIMELINE",
                        "ASK_TIMELINE>QUALIFIED");
        JsonNode done = updates.get(4);
        assertThat(done.path("event").asText()).isEqualTo("lead_state_updated");
        assertThat(done.at("/data/sync_priority").asText()).isEqualTo("high");
        assertThat(done.at("/data/status").asText()).isEqualTo("completed");
        assertThat(done.at("/data/score").asInt()).isEqualTo(80);
        assertThat(done.at("/data/lead_metadata/name").asText()).isEqualTo("Ana Lima");
        assertThat(updates.get(1).at("/data/sync_priority").asText()).isEqualTo("normal");

        List<JsonNode> transitions = bed.transitions(ana.waId());
        assertThat(transitions).extracting(t -> t.path("from_screen").asText() + ">" + t.path("to_screen").asText())
                .containsExactly(">ASK_NAME", "ASK_NAME>ASK_BUDGET", "ASK_BUDGET>ASK_INDUSTRY", "ASK_INDUSTRY>ASK_TIMELINE",
                        "ASK_TIMELINE>QUALIFIED");
        assertThat(transitions).allSatisfy(t -> {
            assertThat(t.path("source").asText()).isEqualTo("chat");
            assertThat(t.path("flow_id").asText()).isEqualTo("lead_qualification");
            assertThat(t.path("session_id").asText()).isEqualTo(lead.get("session_id").toString());
            assertThat(t.path("fields").has("name")).as("free text never reaches analytics").isFalse();
        });
        assertThat(transitions.get(4).path("completed").asBoolean()).isTrue();
        assertThat(transitions.get(3).path("completed").asBoolean()).isFalse();
        assertThat(transitions.get(4).path("fields"))
                .isEqualTo(ChatTestBed.parse("{\"budget\":\"7500\",\"industry\":\"retail\",\"timeline\":\"this_month\"}"));
        assertThat(bed.eventIdCounts(ana.waId())).hasSize(10).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));

        // after completion: the machine's after-completion answer, and nothing changes
        InboundUpdate again = ana.text("Any news?");
        bed.produce(again);
        assertThat(bed.awaitOutcome(again.eventId())).isEqualTo("after_completion");
        assertThat(bed.outgoing(ana.waId()).get(5).at("/text/body").asText()).startsWith("Our team is reviewing your details");
        assertThat(bed.lead(ana.waId()).get("status")).isEqualTo("completed");
    }

    @Test
    void unexpectedInputGetsTheRetryPromptAndTooMuchOfItGoesToAHuman() throws Exception {
        WhatsAppUser bob = new WhatsAppUser("15550001002");
        bed.produce(bob.text("hello"), bob.text("Bob Stone"));
        bed.awaitOutgoing(bob.waId(), 2);
        InboundUpdate voice = bob.voiceNote();
        InboundUpdate pin = bob.location();
        InboundUpdate emoji = bob.text("👍");
        bed.produce(voice, pin, emoji);
        assertThat(bed.awaitOutcome(voice.eventId())).isEqualTo("retried");
        assertThat(bed.awaitOutcome(pin.eventId())).isEqualTo("retried");
        assertThat(bed.awaitOutcome(emoji.eventId())).isEqualTo("escalated");

        List<JsonNode> sent = bed.outgoing(bob.waId());
        assertThat(sent).extracting(m -> m.at("/text/body").asText()).containsExactly(
                "Welcome! What is your full name?",
                "Thanks, Bob Stone. What is your monthly budget in USD?",
                "Please reply with a number, e.g. 2500.",
                "Please reply with a number, e.g. 2500.",
                "Thank you for your patience. A member of our team will continue this conversation with you shortly.");
        Map<String, Object> lead = bed.lead(bob.waId());
        assertThat(lead.get("status")).isEqualTo("escalated");
        assertThat(lead.get("current_state")).isEqualTo("HUMAN");

        bed.awaitEvents(bob.waId(), 3, 3);
        JsonNode escalation = bed.leadUpdates(bob.waId()).get(2);
        assertThat(escalation.at("/data/current_state").asText()).isEqualTo("HUMAN");
        assertThat(escalation.at("/data/previous_state").asText()).isEqualTo("ASK_BUDGET");
        assertThat(escalation.at("/data/sync_priority").asText()).isEqualTo("high");
        assertThat(escalation.at("/data/status").asText()).isEqualTo("escalated");
        JsonNode handover = bed.transitions(bob.waId()).get(2);
        assertThat(handover.path("to_screen").asText()).isEqualTo("HUMAN");
        assertThat(handover.path("handover").asBoolean()).isTrue();

        // with a human now: no automatic answers
        InboundUpdate waiting = bob.text("Hello? 5000");
        bed.produce(waiting);
        assertThat(bed.awaitOutcome(waiting.eventId())).isEqualTo("with_human");
        assertThat(bed.outgoing(bob.waId())).hasSize(5);
    }

    @Test
    void choicesCanBeTypedAndAWrongTapIsAskedAgainWithItsButtons() {
        WhatsAppUser cy = new WhatsAppUser("15550001003");
        bed.produce(cy.text("hi"), cy.text("Cy"), cy.text("12k"), cy.text("e-commerce"), cy.text("next year"));
        List<JsonNode> sent = bed.awaitOutgoing(cy.waId(), 5);
        assertThat(bed.leadData(cy.waId()).path("budget").asLong()).isEqualTo(12_000);
        assertThat(bed.leadData(cy.waId()).path("industry").asText()).isEqualTo("ecommerce");
        JsonNode retry = sent.get(4);
        assertThat(retry.at("/interactive/type").asText()).isEqualTo("button");
        assertThat(retry.at("/interactive/body/text").asText()).isEqualTo("Please tap one of the buttons.");
        assertThat(bed.lead(cy.waId()).get("retries")).isEqualTo(1);
    }

    @Test
    void restartGoesBackToTheStartWithANewConversation() {
        WhatsAppUser dee = new WhatsAppUser("15550001004");
        bed.produce(dee.text("hi"), dee.text("Dee"), dee.text("900"));
        bed.awaitOutgoing(dee.waId(), 3);
        Object firstSession = bed.lead(dee.waId()).get("session_id");
        InboundUpdate restart = dee.text(" restart ");
        bed.produce(restart);
        assertThat(bed.awaitOutcome(restart.eventId())).isEqualTo("restarted");

        Map<String, Object> lead = bed.lead(dee.waId());
        assertThat(lead.get("current_state")).isEqualTo("ASK_NAME");
        assertThat(lead.get("qualification_score")).isEqualTo(0);
        assertThat(lead.get("status")).isEqualTo("active");
        assertThat(bed.leadData(dee.waId()).isEmpty()).isTrue();
        assertThat(lead.get("session_id")).isNotEqualTo(firstSession);
        assertThat(bed.outgoing(dee.waId()).get(3).at("/text/body").asText()).isEqualTo("Welcome! What is your full name?");

        bed.awaitEvents(dee.waId(), 4, 4);
        JsonNode restarted = bed.transitions(dee.waId()).get(3);
        assertThat(restarted.path("from_screen").asText()).as("a new session starts from nothing").isEmpty();
        assertThat(restarted.path("to_screen").asText()).isEqualTo("ASK_NAME");
        assertThat(restarted.path("session_id").asText()).isEqualTo(lead.get("session_id").toString());
        assertThat(bed.leadUpdates(dee.waId()).get(3).at("/data/previous_state").asText()).isEqualTo("ASK_INDUSTRY");
    }

    @Test
    void aBurstFromOneUserIsAppliedInOrder() {
        WhatsAppUser eve = new WhatsAppUser("15550001005");
        // five messages in one second, as a fast typist sends them: WhatsApp's timestamps tie, Kafka's order decides
        Instant second = eve.nextTime();
        InboundUpdate[] burst = {eve.textAt("hey", second), eve.textAt("Eve Moss", second), eve.textAt("20000", second),
                eve.textAt("Finance", second), eve.textAt("In 1-3 months", second)};
        bed.produce(burst);
        assertThat(bed.awaitOutcome(burst[4].eventId())).isEqualTo("completed");
        for (int i = 0; i < 4; i++) {
            assertThat(bed.outcome(burst[i].eventId())).contains(i == 0 ? "started" : "answered");
        }
        assertThat(bed.outgoing(eve.waId())).hasSize(5);
        assertThat(bed.leadData(eve.waId()))
                .isEqualTo(ChatTestBed.parse("{\"name\":\"Eve Moss\",\"budget\":20000,\"industry\":\"finance\",\"timeline\":\"1_3_months\"}"));
        assertThat(bed.lead(eve.waId()).get("qualification_score")).as("40 + 15 + 15").isEqualTo(70);
        assertThat(bed.lead(eve.waId()).get("current_state")).isEqualTo("QUALIFIED");
    }

    @Test
    void anAnswerOlderThanTheLastAppliedOneIsRecordedAndIgnored() {
        WhatsAppUser fay = new WhatsAppUser("15550001006");
        bed.produce(fay.text("hi"));
        bed.awaitOutgoing(fay.waId(), 1);
        Instant earlier = fay.nextTime();
        Instant later = fay.nextTime();
        InboundUpdate older = fay.textAt("Fay Early", earlier);
        InboundUpdate newer = fay.textAt("Fay Late", later);
        bed.produce(newer, older); // Meta delivers them the other way round
        assertThat(bed.awaitOutcome(newer.eventId())).isEqualTo("answered");
        assertThat(bed.awaitOutcome(older.eventId())).isEqualTo("stale");

        assertThat(bed.leadData(fay.waId()).path("name").asText()).isEqualTo("Fay Late");
        assertThat(bed.lead(fay.waId()).get("current_state")).isEqualTo("ASK_BUDGET");
        assertThat(bed.outgoing(fay.waId())).hasSize(2);
        assertThat(((Timestamp) bed.lead(fay.waId()).get("last_message_at")).toInstant()).isEqualTo(later);
    }

    @Test
    void deliveryStatusesOnlyMoveForwardAndFailedIsFinal() {
        WhatsAppUser gus = new WhatsAppUser("15550001007");
        Instant t = gus.nextTime();
        String read = "wamid.out-read";
        String failed = "wamid.out-failed";
        bed.produce(
                gus.status(read, "read", t.plusSeconds(3)),
                gus.status(read, "delivered", t.plusSeconds(2)),
                gus.status(read, "sent", t.plusSeconds(1)),
                gus.status(read, "delivered", t.plusSeconds(2)),
                gus.status(read, "failed", t.plusSeconds(4)),
                gus.status(failed, "sent", t.plusSeconds(1)),
                gus.status(failed, "failed", t.plusSeconds(2)),
                gus.status(failed, "delivered", t.plusSeconds(3)),
                gus.status(failed, "read", t.plusSeconds(4)));
        bed.awaitConsumed(ChatTestBed.GROUP);

        Map<String, Object> r = bed.jdbc().sql("SELECT status, status_at FROM message_statuses WHERE wamid = ?").param(read).query().singleRow();
        assertThat(r.get("status")).isEqualTo("read");
        assertThat(((Timestamp) r.get("status_at")).toInstant()).isEqualTo(t.plusSeconds(3));
        Map<String, Object> f = bed.jdbc().sql("SELECT status, error_code FROM message_statuses WHERE wamid = ?").param(failed).query().singleRow();
        assertThat(f.get("status")).isEqualTo("failed");
        assertThat(f.get("error_code")).isEqualTo(131047);
        assertThat(bed.count("lead_qualifications", "wa_id", gus.waId())).as("statuses are no conversation").isZero();
    }

    @Test
    void deletingAUserRemovesTheirRows() {
        WhatsAppUser hal = new WhatsAppUser("15550001008");
        bed.produce(hal.text("hi"), hal.text("Hal Reed"));
        bed.awaitOutgoing(hal.waId(), 2);
        bed.produce(hal.status("wamid.out-hal", "delivered", hal.nextTime()));
        bed.awaitConsumed(ChatTestBed.GROUP);
        bed.app().uploadFlow("deletion_flow", "linear.json");
        bed.app().mint(hal.waId(), "deletion_flow", null);
        WhatsAppUser other = new WhatsAppUser("15550001009");
        bed.produce(other.text("hi"));
        bed.awaitOutgoing(other.waId(), 1);
        List<String> tables = List.of("lead_qualifications", "processed_messages", "message_statuses", "flow_sessions",
                "outgoing_messages");
        for (String table : tables) {
            assertThat(bed.count(table, "wa_id", hal.waId())).as(table).isPositive();
        }

        var answer = bed.app().admin("DELETE", "/api/users/" + hal.waId(), null);
        assertThat(answer.status()).as(answer.raw()).isEqualTo(200);
        assertThat(answer.json().at("/deleted/lead_qualifications").asInt()).isEqualTo(1);
        assertThat(answer.json().at("/deleted/processed_messages").asInt()).isEqualTo(2);
        assertThat(answer.json().at("/deleted/outgoing_messages").asInt()).isEqualTo(2);
        for (String table : tables) {
            assertThat(bed.count(table, "wa_id", hal.waId())).as(table).isZero();
        }
        assertThat(bed.app().admin("GET", "/api/leads/" + hal.waId(), null).status()).isEqualTo(404);
        assertThat(bed.count("lead_qualifications", "wa_id", other.waId())).as("nobody else's").isEqualTo(1);
        assertThat(bed.app().admin("DELETE", "/api/users/" + hal.waId(), null).status()).as("idempotent").isEqualTo(200);
        assertThat(bed.app().adminAs(null, "DELETE", "/api/users/" + other.waId(), null).status()).isEqualTo(401);
    }
}
