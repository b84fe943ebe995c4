package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.StaleSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leads who stop answering: a stale chat session (as the analytics job reports it on
 * {@code flowgate.stale-sessions}) gets exactly one re-engagement template, however often the event is
 * delivered; a lead silent for {@code cold-after} (a few seconds here) is marked cold and the CRM told.
 */
class ReEngagementTest {

    private static final Duration COLD_AFTER = Duration.ofSeconds(6);
    private static ChatTestBed bed;

    @BeforeAll
    static void start() {
        bed = ChatTestBed.start(Map.of(
                "flowgate.chat.cold-after", COLD_AFTER.toMillis() + "ms",
                "flowgate.chat.housekeeping-interval", "250ms",
                "flowgate.chat.reengagement-template", "we_miss_you",
                "flowgate.chat.reengagement-language", "pt_BR"));
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    @Test
    void staleSessionSendsExactlyOneReEngagementMessageAndTheLeadLaterGoesCold() {
        WhatsAppUser oli = new WhatsAppUser("15550004001");
        bed.produce(oli.text("hi"), oli.text("Oli Grant"));
        bed.awaitOutgoing(oli.waId(), 2);
        String session = bed.lead(oli.waId()).get("session_id").toString();

        StaleSession stale = stale(oli.waId(), session, "chat");
        bed.produce(stale, stale);
        assertThat(bed.awaitOutcome(stale.eventId())).isEqualTo("re_engaged");
        bed.awaitConsumed(ChatTestBed.GROUP);

        List<JsonNode> sent = bed.outgoing(oli.waId());
        assertThat(sent).hasSize(3);
        JsonNode template = sent.get(2);
        assertThat(template.path("type").asText()).isEqualTo("template");
        assertThat(template.at("/template/name").asText()).isEqualTo("we_miss_you");
        assertThat(template.at("/template/language/code").asText()).isEqualTo("pt_BR");
        assertThat(bed.lead(oli.waId()).get("re_engaged_at")).isNotNull();

        // the same silence reported again under another id (a recomputation) sends nothing either
        StaleSession again = new StaleSession("stale:again:" + session, Instant.now(), "lead_qualification", session,
                oli.waId(), "ASK_BUDGET", Instant.now(), Instant.now(), FlowTransition.SOURCE_CHAT);
        bed.produce(again);
        assertThat(bed.awaitOutcome(again.eventId())).isEqualTo("already_re_engaged");
        assertThat(bed.outgoing(oli.waId())).hasSize(3);

        await().atMost(Duration.ofSeconds(40)).until(() -> "cold".equals(bed.lead(oli.waId()).get("status")));
        Map<String, Object> lead = bed.lead(oli.waId());
        Instant lastInteraction = ((Timestamp) lead.get("last_interaction")).toInstant();
        Instant coldAt = ((Timestamp) lead.get("cold_at")).toInstant();
        assertThat(Duration.between(lastInteraction, coldAt)).isGreaterThanOrEqualTo(COLD_AFTER);
        assertThat(lead.get("current_state")).as("a cold lead keeps its place").isEqualTo("ASK_BUDGET");

        await().atMost(Duration.ofSeconds(30)).until(() -> bed.leadUpdates(oli.waId()).size() >= 3);
        JsonNode cold = bed.leadUpdates(oli.waId()).get(2);
        assertThat(cold.at("/data/status").asText()).isEqualTo("cold");
        assertThat(cold.at("/data/current_state").asText()).isEqualTo("ASK_BUDGET");
        assertThat(cold.at("/data/sync_priority").asText()).isEqualTo("normal");

        // a cold lead who answers is active again, where it left off
        var answer = oli.text("2500");
        bed.produce(answer);
        assertThat(bed.awaitOutcome(answer.eventId())).isEqualTo("answered");
        assertThat(bed.lead(oli.waId()).get("status")).isEqualTo("active");
        assertThat(bed.lead(oli.waId()).get("current_state")).isEqualTo("ASK_INDUSTRY");
    }

    @Test
    void staleSessionsOfOtherConversationsAndOfFlowsSendNothing() {
        WhatsAppUser pam = new WhatsAppUser("15550004002");
        bed.produce(pam.text("hi"));
        bed.awaitOutgoing(pam.waId(), 1);
        String session = bed.lead(pam.waId()).get("session_id").toString();

        StaleSession restartedSince = stale(pam.waId(), "0b7a9b36-6a34-4c55-9bdb-000000000000", "chat");
        StaleSession flow = stale(pam.waId(), session, "flow");
        StaleSession unknownUser = stale("15550004999", session, "chat");
        bed.produce(restartedSince, flow, unknownUser);
        assertThat(bed.awaitOutcome(restartedSince.eventId())).isEqualTo("other_session");
        assertThat(bed.awaitOutcome(unknownUser.eventId())).isEqualTo("unknown_lead");
        bed.awaitConsumed(ChatTestBed.GROUP);
        assertThat(bed.outcome(flow.eventId())).as("Flow drop-offs are the analytics' business").isEmpty();
        assertThat(bed.outgoing(pam.waId())).hasSize(1);
    }

    private static StaleSession stale(String user, String session, String source) {
        Instant now = Instant.now();
        return new StaleSession("stale:" + session + ":" + user + ":" + source, now, "lead_qualification", session, user,
                "ASK_NAME", now.minusSeconds(1800), now.minusSeconds(1900), source);
    }
}
