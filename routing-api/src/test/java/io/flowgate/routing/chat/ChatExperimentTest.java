package io.flowgate.routing.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.InboundUpdate;
import io.flowgate.routing.experiments.Assignment;
import io.flowgate.routing.experiments.Experiment;
import io.flowgate.routing.experiments.ExperimentRepository;
import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Routing experiments on a chat machine (docs/experiments.md, "Experiments on chat machines"), on the
 * shipped {@code lead_qualification} machine, with a real broker and database: sticky assignment stored on
 * the lead across two instances and a restart, the treatment's question is what its users receive, a
 * guardrail stop or a pause sends new leads to the machine as defined, invalid treatments are refused with
 * a 400 naming the state, and a promotion is seen whole or not at all by every step.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChatExperimentTest {

    private static final String MACHINE = ChatProperties.EXAMPLE_MACHINE;
    private static final String NAME_QUESTION = "Welcome! What is your full name?";
    private static final String SHORT_NAME_QUESTION = "[short] Hi! Your first name?";
    private static final String SHORT_BUDGET_QUESTION = "[short] Budget per month, in USD?";
    /** A treatment asking other questions for the name and the budget. */
    private static final String SHORT_STATES = """
            {"ASK_NAME": {"question": {"text": "%s"}, "answer": {"type": "text", "max_length": 100}, "store": "name",
                          "next": "ASK_BUDGET"},
             "ASK_BUDGET": {"question": {"text": "%s"}, "answer": {"type": "number", "min": 0, "max": 100000000},
                            "store": "budget", "score": "answer >= 10000 ? 40 : 5", "next": "ASK_INDUSTRY"}}"""
            .formatted(SHORT_NAME_QUESTION, SHORT_BUDGET_QUESTION);

    private static ChatTestBed bed;

    @BeforeAll
    static void start() {
        bed = ChatTestBed.start();
    }

    private static RoutingApiInstance.AdminAnswer admin(String method, String path, String body) {
        return bed.app().admin(method, path, body);
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private static String experiment(String id, String states) {
        return """
                {"experiment_id": "%s", "machine_id": "%s", "description": "a shorter start",
                 "variants": [{"variant": "control", "control": true, "weight": 1},
                              {"variant": "short", "weight": 1, "states": %s}]}""".formatted(id, MACHINE, states);
    }

    private static void createAndStart(String id, String states) {
        var created = admin("POST", "/api/experiments", experiment(id, states));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.json().path("machine_id").asText()).isEqualTo(MACHINE);
        var started = admin("POST", "/api/experiments/" + id + "/start", null);
        assertThat(started.status()).as(started.raw()).isEqualTo(200);
    }

    /** The variant the hash gives the user (whatever the experiment's status and stops). */
    private static String hashed(String experimentId, String waId) {
        Experiment e = bed.app().context().getBean(ExperimentRepository.class).find(experimentId).orElseThrow();
        return Assignment.variantOf(e, waId, Set.of());
    }

    /** The text of a queued message (a text message's body, an interactive message's body text). */
    private static String text(JsonNode message) {
        return message.has("text") ? message.at("/text/body").asText() : message.at("/interactive/body/text").asText();
    }

    private static List<WhatsAppUser> users(String prefix, int n) {
        List<WhatsAppUser> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            users.add(new WhatsAppUser(prefix + String.format("%02d", i)));
        }
        return users;
    }

    @Test
    @Order(1)
    void aTreatmentThatBreaksTheMachineIsRefusedNamingTheState() {
        var both = admin("POST", "/api/experiments", experiment("chat-bad-1", "{}").replace("\"machine_id\"", "\"flow_id\": \"x\", \"machine_id\""));
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().path("details").toString()).contains("machine_id: an experiment belongs to a Flow (flow_id) or to a chat machine");

        var unknownMachine = admin("POST", "/api/experiments", experiment("chat-bad-2", "{}").replace(MACHINE, "no_such_machine"));
        assertThat(unknownMachine.status()).isEqualTo(400);
        assertThat(unknownMachine.json().path("details").toString()).contains("machine_id: an uploaded chat machine (there is no chat machine no_such_machine)");

        var badTarget = admin("POST", "/api/experiments", experiment("chat-bad-3", """
                {"ASK_NAME": {"question": {"text": "Name?"}, "answer": {"type": "text"}, "store": "name", "next": "NOWHERE"}}"""));
        assertThat(badTarget.status()).isEqualTo(400);
        assertThat(badTarget.json().path("details").toString()).contains("variants[1].states.ASK_NAME").contains("NOWHERE");

        var badCel = admin("POST", "/api/experiments", experiment("chat-bad-4", """
                {"ASK_BUDGET": {"question": {"text": "Budget?"}, "answer": {"type": "number"}, "store": "budget",
                                "next": [{"when": "answer >", "to": "ASK_INDUSTRY"}, {"to": "ASK_INDUSTRY"}]}}"""));
        assertThat(badCel.status()).isEqualTo(400);
        assertThat(badCel.json().path("details").toString()).contains("variants[1].states.ASK_BUDGET.next[0].when");

        var rulesOnMachine = admin("POST", "/api/experiments", experiment("chat-bad-5", "{}")
                .replace("\"states\": {}", "\"rules\": []"));
        assertThat(rulesOnMachine.status()).isEqualTo(400);
        assertThat(rulesOnMachine.json().path("details").toString()).contains("variants[1].rules: a chat machine's treatment names states, not rules");

        var notAnObject = admin("POST", "/api/experiments", experiment("chat-bad-6", "[]"));
        assertThat(notAnObject.status()).isEqualTo(400);
        assertThat(notAnObject.json().path("details").toString()).contains("variants[1].states: an object of at most 50 state definitions");

        var badMetric = admin("POST", "/api/experiments", experiment("chat-bad-7", "{}")
                .replace("\"description\"", "\"primary_metric\": \"screen:NOPE\", \"description\""));
        assertThat(badMetric.status()).isEqualTo(400);
        assertThat(badMetric.json().path("details").toString()).contains("primary_metric: chat machine " + MACHINE + " has no state NOPE");

        assertThat(admin("GET", "/api/experiments?machine_id=" + MACHINE, null).json().path("experiments")).isEmpty();
    }

    @Test
    @Order(2)
    void theAssignedUserGetsTheTreatmentsQuestionsOnEveryInstanceAndAfterARestart() {
        createAndStart("chat-sticky", SHORT_STATES);
        RoutingApiInstance sibling = bed.sibling(Map.of());
        List<WhatsAppUser> users = users("155500901", 12);
        Map<String, String> expected = new LinkedHashMap<>();
        try {
            for (WhatsAppUser u : users) {
                expected.put(u.waId(), hashed("chat-sticky", u.waId()));
                bed.produce(u.text("hi"));
            }
            assertThat(expected.values()).as("12 users split by the hash").contains("control", "short");
            for (WhatsAppUser u : users) {
                String variant = expected.get(u.waId());
                assertThat(text(bed.awaitOutgoing(u.waId(), 1).get(0))).as(u.waId() + " in " + variant)
                        .isEqualTo(variant.equals("short") ? SHORT_NAME_QUESTION : NAME_QUESTION);
                Map<String, Object> lead = bed.lead(u.waId());
                assertThat(lead.get("experiment_id")).isEqualTo("chat-sticky");
                assertThat(lead.get("variant")).isEqualTo(variant);
            }
        } finally {
            sibling.close();
        }

        // routing-api restarts: the conversations go on in their variants, and a new conversation keeps it
        bed.stopApp();
        bed.startAgain();
        for (WhatsAppUser u : users) {
            bed.produce(u.text("Ana Lima"), u.text("RESTART"));
        }
        for (WhatsAppUser u : users) {
            boolean treated = expected.get(u.waId()).equals("short");
            List<JsonNode> sent = bed.awaitOutgoing(u.waId(), 3);
            assertThat(text(sent.get(1))).startsWith(treated ? SHORT_BUDGET_QUESTION : "Thanks, Ana Lima. What is your monthly budget");
            assertThat(text(sent.get(2))).isEqualTo(treated ? SHORT_NAME_QUESTION : NAME_QUESTION);
            assertThat(bed.lead(u.waId()).get("variant")).isEqualTo(expected.get(u.waId()));
            bed.awaitEvents(u.waId(), 3, 3);
            assertThat(bed.leadUpdates(u.waId())).as("so do the lead updates").allSatisfy(l -> {
                assertThat(l.at("/data/experiment_id").asText()).isEqualTo("chat-sticky");
                assertThat(l.at("/data/variant").asText()).isEqualTo(expected.get(u.waId()));
            });
            assertThat(admin("GET", "/api/leads/" + u.waId(), null).json().path("variant").asText()).isEqualTo(expected.get(u.waId()));
            assertThat(bed.transitions(u.waId())).as("every transition carries the experiment").hasSize(3)
                    .allSatisfy(t -> {
                        assertThat(t.path("experiment_id").asText()).isEqualTo("chat-sticky");
                        assertThat(t.path("variant").asText()).isEqualTo(expected.get(u.waId()));
                        assertThat(t.path("source").asText()).isEqualTo("chat");
                    });
        }
        assertThat(admin("POST", "/api/experiments/chat-sticky/stop", null).status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void aGuardrailStopOrAPauseSendsNewLeadsToTheMachineAsDefined() {
        createAndStart("chat-guard", SHORT_STATES);
        List<WhatsAppUser> before = users("155500902", 8).stream()
                .filter(u -> hashed("chat-guard", u.waId()).equals("short")).toList();
        assertThat(before).isNotEmpty();
        WhatsAppUser treated = before.get(0);
        bed.produce(treated.text("hi"));
        assertThat(text(bed.awaitOutgoing(treated.waId(), 1).get(0))).isEqualTo(SHORT_NAME_QUESTION);

        // the analytics job stops the variant (docs/experiments.md, "Guardrail stops")
        bed.jdbc().sql("""
                        INSERT INTO experiment_guardrail_stops (experiment_id, variant, guardrail, observed, threshold)
                        VALUES ('chat-guard', 'short', 'drop_rate:ASK_NAME', 0.4, 0)""").update();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                !admin("GET", "/api/experiments/chat-guard", null).json().at("/variants/1/assigning").asBoolean(true));

        List<WhatsAppUser> after = users("155500903", 8).stream()
                .filter(u -> hashed("chat-guard", u.waId()).equals("short")).toList();
        assertThat(after).isNotEmpty();
        for (WhatsAppUser u : after) {
            bed.produce(u.text("hi"));
            assertThat(text(bed.awaitOutgoing(u.waId(), 1).get(0))).isEqualTo(NAME_QUESTION);
            assertThat(bed.lead(u.waId()).get("variant")).as("its buckets go to the control").isEqualTo("control");
            assertThat(bed.lead(u.waId()).get("experiment_id")).isEqualTo("chat-guard");
        }
        // a lead already in the stopped treatment leaves it at its next step
        bed.produce(treated.text("Ana Lima"));
        assertThat(text(bed.awaitOutgoing(treated.waId(), 2).get(1))).startsWith("Thanks, Ana Lima. What is your monthly budget");

        assertThat(admin("POST", "/api/experiments/chat-guard/pause", null).status()).isEqualTo(200);
        WhatsAppUser whilePaused = new WhatsAppUser("15550090400");
        bed.produce(whilePaused.text("hi"));
        assertThat(text(bed.awaitOutgoing(whilePaused.waId(), 1).get(0))).isEqualTo(NAME_QUESTION);
        assertThat(bed.lead(whilePaused.waId()).get("experiment_id")).as("a paused experiment assigns nobody").isNull();
        assertThat(admin("POST", "/api/experiments/chat-guard/stop", null).status()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void aRunningExperimentCannotChangeAndItsMachineKeepsFittingIt() {
        createAndStart("chat-frozen", SHORT_STATES);
        var put = admin("PUT", "/api/experiments/chat-frozen", experiment("chat-frozen", "{}"));
        assertThat(put.status()).isEqualTo(409);
        assertThat(put.json().path("message").asText()).contains("cannot change while it runs");
        var second = admin("POST", "/api/experiments", experiment("chat-second", "{}"));
        assertThat(second.status()).isEqualTo(201);
        var secondStart = admin("POST", "/api/experiments/chat-second/start", null);
        assertThat(secondStart.status()).isEqualTo(409);
        assertThat(secondStart.json().path("message").asText()).contains("chat machine " + MACHINE + " already has a live experiment (chat-frozen)");

        // an upload that removes ASK_INDUSTRY, which the treatment's ASK_BUDGET goes to, is refused
        JsonNode definition = admin("GET", "/api/chat-machines/" + MACHINE, null).json().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) definition.get("states")).remove("ASK_INDUSTRY");
        ((com.fasterxml.jackson.databind.node.ObjectNode) definition.at("/states/ASK_BUDGET")).put("next", "ASK_TIMELINE");
        var upload = admin("PUT", "/api/chat-machines/" + MACHINE, definition.toString());
        assertThat(upload.status()).isEqualTo(400);
        assertThat(upload.json().path("details").toString()).contains("experiment chat-frozen variant short: states.ASK_BUDGET").contains("ASK_INDUSTRY");
        assertThat(admin("POST", "/api/experiments/chat-frozen/stop", null).status()).isEqualTo(200);
    }

    /**
     * The treatment sends ASK_NAME straight to ASK_TIMELINE and asks ASK_TIMELINE differently; users answer
     * their names while it is promoted. A step sees the old machine (control: the budget question) or the new
     * one (the new timeline question), never a mix (the new transition with the old timeline question).
     */
    @Test
    @Order(5)
    void promotionIsSeenWholeByEveryStep() throws Exception {
        String newTimeline = "[new] When do you start?";
        createAndStart("chat-promote", """
                {"ASK_NAME": {"question": {"text": "Welcome! What is your full name?"}, "answer": {"type": "text", "max_length": 100},
                              "store": "name", "next": [{"when": "answer == '~never~'", "to": "ASK_BUDGET"}, {"to": "ASK_TIMELINE"}]},
                 "ASK_TIMELINE": {"question": {"text": "%s", "buttons": {"this_month": "This month", "later": "Later"}},
                                  "answer": {"type": "choice"}, "store": "timeline", "score": {"this_month": 30, "later": 0},
                                  "next": [{"when": "score >= 60", "to": "QUALIFIED"}, {"to": "NURTURE"}]}}""".formatted(newTimeline));
        List<WhatsAppUser> users = users("155500905", 40);
        for (WhatsAppUser u : users) {
            bed.produce(u.text("hi"));
        }
        for (WhatsAppUser u : users) {
            bed.awaitOutgoing(u.waId(), 1);
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> answers = pool.submit(() -> users.forEach(u -> bed.produce(u.text("Ana Lima"))));
        Thread.sleep(50);
        var promoted = admin("POST", "/api/experiments/chat-promote/promote", "{\"variant\": \"short\"}");
        assertThat(promoted.status()).as(promoted.raw()).isEqualTo(200);
        assertThat(promoted.json().path("status").asText()).isEqualTo("finished");
        assertThat(promoted.json().path("winner").asText()).isEqualTo("short");
        answers.get(60, TimeUnit.SECONDS);
        pool.shutdown();

        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        int newMachine = 0;
        for (WhatsAppUser u : users) {
            String second = text(bed.awaitOutgoing(u.waId(), 2).get(1));
            boolean treated = "short".equals(bed.lead(u.waId()).get("variant"));
            if (second.equals(newTimeline)) {
                newMachine++;
            } else if (treated || !second.startsWith("Thanks, Ana Lima. What is your monthly budget")) {
                wrong.add(u.waId() + (treated ? " (treatment)" : " (control)") + " was asked: " + second);
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(newMachine).isPositive();

        JsonNode machine = admin("GET", "/api/chat-machines/" + MACHINE, null).json();
        assertThat(machine.at("/states/ASK_TIMELINE/question/text").asText()).isEqualTo(newTimeline);
        assertThat(machine.at("/states/QUALIFIED/end").asBoolean()).as("the other states are kept").isTrue();
        WhatsAppUser newcomer = new WhatsAppUser("15550090600");
        bed.produce(newcomer.text("hi"), newcomer.text("Bo"));
        assertThat(text(bed.awaitOutgoing(newcomer.waId(), 2).get(1))).isEqualTo(newTimeline);
        assertThat(bed.lead(newcomer.waId()).get("experiment_id")).isNull();
    }
}
