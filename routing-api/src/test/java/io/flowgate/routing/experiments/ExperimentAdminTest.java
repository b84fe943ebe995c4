package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.flowgate.routing.experiments.ExperimentFixtures.createAndStart;
import static io.flowgate.routing.experiments.ExperimentFixtures.experiment;
import static io.flowgate.routing.experiments.ExperimentFixtures.flowWithNormalRule;
import static io.flowgate.routing.experiments.ExperimentFixtures.variantsOf;
import static io.flowgate.routing.experiments.ExperimentFixtures.walk;
import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The experiments admin API on a real routing-api: refusals as 4xx JSON naming the field, a live
 * experiment's variants frozen, one live experiment per Flow, treatment sessions routed by the
 * treatment's rules (paused and stopped included), and an atomic promotion.
 */
class ExperimentAdminTest {

    private final RoutingApiInstance app = RoutingApiInstance.shared();

    @Test
    void invalidDefinitionsAreRefusedNamingTheField() {
        flowWithNormalRule(app, "exp-invalid");
        // DETAILS -> CONFIRM is not in the routing model: refused exactly as the rule admin API refuses it
        String badRule = experiment("bad-rule", "exp-invalid", 1, 1).replace("NOTIFY_ME", "CONFIRM");
        assertRefused(app.admin("POST", "/api/experiments", badRule), 400, "variants[1].rules[0].next_screen");
        String twoControls = experiment("two-controls", "exp-invalid", 1, 1).replace("{\"variant\":\"notify\",", "{\"variant\":\"notify\",\"control\":true,");
        assertRefused(app.admin("POST", "/api/experiments", twoControls), 400, "exactly one variant");
        assertRefused(app.admin("POST", "/api/experiments", experiment("typo", "exp-invalid", 1, 1).replace("\"description\"", "\"weights\":1,\"description\"")),
                400, "weights: unknown field");
        assertRefused(app.admin("POST", "/api/experiments", experiment("no-flow", "exp-nowhere", 1, 1)), 400, "flow_id");
        assertRefused(app.admin("POST", "/api/experiments", experiment("Bad Id", "exp-invalid", 1, 1)), 400, "experiment_id");
        assertRefused(app.admin("POST", "/api/experiments", experiment("zero", "exp-invalid", 0, 0)), 400, "weights must not all be 0");
        assertRefused(app.admin("POST", "/api/experiments", experiment("neg", "exp-invalid", -1, 1)), 400, "variants[0].weight");
        assertRefused(app.admin("POST", "/api/experiments", experiment("metric", "exp-invalid", 1, 1)
                .replace("\"description\"", "\"primary_metric\":\"screen:NOPE\",\"alpha\":0.7,\"description\"")), 400, "primary_metric");
        assertRefused(app.admin("POST", "/api/experiments", "[1]"), 400, "JSON object");
        assertRefused(app.admin("GET", "/api/experiments/missing", null), 404, "no experiment missing");
    }

    @Test
    void aLiveExperimentIsFrozenAndAFlowHasOneLiveExperiment() {
        flowWithNormalRule(app, "exp-live");
        createAndStart(app, experiment("live-one", "exp-live", 1, 1), "live-one");
        assertRefused(app.admin("PUT", "/api/experiments/live-one", experiment("live-one", "exp-live", 1, 9)), 409,
                "create a new experiment instead");
        assertRefused(app.admin("POST", "/api/experiments", experiment("live-one", "exp-live", 1, 1)), 409, "exists already");
        assertThat(app.admin("POST", "/api/experiments", experiment("live-two", "exp-live", 1, 1)).status()).isEqualTo(201);
        // a draft may change
        assertThat(app.admin("PUT", "/api/experiments/live-two", experiment("live-two", "exp-live", 3, 1)).json()
                .at("/variants/0/weight").asInt()).isEqualTo(3);
        assertRefused(app.admin("POST", "/api/experiments/live-two/start", null), 409, "already has a live experiment (live-one)");
        assertThat(app.admin("POST", "/api/experiments/live-one/pause", null).json().path("status").asText()).isEqualTo("paused");
        assertRefused(app.admin("POST", "/api/experiments/live-two/start", null), 409, "already has a live experiment (live-one)");
        assertRefused(app.admin("POST", "/api/experiments/live-one/pause", null), 409, "can become paused only from running");
        assertRefused(app.admin("POST", "/api/experiments/live-one/promote", "{\"variant\":\"nope\"}"), 400, "has no variant nope");
        assertThat(app.admin("POST", "/api/experiments/live-one/stop", null).json().path("status").asText()).isEqualTo("stopped");
        assertRefused(app.admin("POST", "/api/experiments/live-one/start", null), 409, "only from draft or paused");
        assertThat(app.admin("POST", "/api/experiments/live-two/start", null).json().path("status").asText()).isEqualTo("running");
        JsonNode listed = app.admin("GET", "/api/experiments?flow_id=exp-live", null).json().path("experiments");
        assertThat(listed).extracting(e -> e.path("experiment_id").asText() + ":" + e.path("status").asText())
                .containsExactlyInAnyOrder("live-one:stopped", "live-two:running");
    }

    @Test
    void treatmentSessionsFollowTheTreatmentRulesWhileTheExperimentIsLive() {
        flowWithNormalRule(app, "exp-route");
        createAndStart(app, experiment("route", "exp-route", 1, 1), "route");
        Map<String, String> variants = variantsOf(app, "exp-route", "1555020", 12);
        assertThat(Set.copyOf(variants.values())).containsExactlyInAnyOrder("control", "notify");
        String treated = user(variants, "notify");
        String controlled = user(variants, "control");
        assertThat(walk(app, treated, "exp-route")[1]).isEqualTo("NOTIFY_ME");
        assertThat(walk(app, controlled, "exp-route")[1]).isEqualTo("SCHEDULE");

        // paused: no new assignments, but a session already in the treatment keeps its rules
        JsonNode ongoing = app.mint(treated, "exp-route", null);
        String token = ongoing.path("flow_token").asText();
        WhatsAppFlowClient client = app.client();
        client.send(payload("INIT", "", token));
        app.admin("POST", "/api/experiments/route/pause", null);
        assertThat(app.mint(treated, "exp-route", null).has("variant")).isFalse();
        assertThat(client.send(payload("data_exchange", "DETAILS", token)).screen()).isEqualTo("NOTIFY_ME");

        // stopped: everyone is routed by the normal rules again
        app.admin("POST", "/api/experiments/route/stop", null);
        assertThat(walk(app, treated, "exp-route")[1]).isEqualTo("SCHEDULE");
    }

    /**
     * While the treatment is promoted, sessions of both variants keep stepping on two threads. The
     * treatment changes both rules of one (screen, action): before the promotion, control sessions see
     * old-2 (old-1's condition is false) and treatment sessions new-1; after it, everyone sees new-1. Any
     * other answer (new-2: old-1 with new-2; the submitted name: no rule at all) would be a transition
     * routed by a mix of old and new rules, or a treatment session routed by the old rules.
     */
    @Test
    void promotionSwitchesEveryoneAtOnce() throws Exception {
        String flowId = "exp-promote";
        app.uploadFlow(flowId, "appointment.json");
        for (String rule : List.of(rule(1, "false", "old-1"), rule(2, "true", "old-2"))) {
            assertThat(app.admin("POST", "/api/flows/" + flowId + "/rules", rule).status()).isEqualTo(201);
        }
        String json = "{\"experiment_id\":\"promote\",\"flow_id\":\"" + flowId + "\",\"variants\":["
                + "{\"variant\":\"control\",\"control\":true,\"weight\":1},"
                + "{\"variant\":\"treatment\",\"weight\":1,\"rules\":[" + rule(1, "true", "new-1") + "," + rule(2, "true", "new-2") + "]}]}";
        createAndStart(app, json, "promote");
        Map<String, String> variants = variantsOf(app, flowId, "1555030", 10);
        List<String[]> sessions = new ArrayList<>();
        for (String waId : variants.keySet()) {
            JsonNode minted = app.mint(waId, flowId, null);
            app.client().send(payload("INIT", "", minted.path("flow_token").asText()));
            sessions.add(new String[]{minted.path("flow_token").asText(), minted.path("variant").asText()});
        }
        assertThat(sessions).extracting(s -> s[1]).contains("control", "treatment");

        Map<String, Integer> seen = new ConcurrentHashMap<>();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean promoted = new AtomicBoolean();
        AtomicInteger afterPromotion = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> steppers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            steppers.add(pool.submit(() -> {
                WhatsAppFlowClient client = app.client();
                for (int n = 0; afterPromotion.get() < 40; n++) {
                    String[] s = sessions.get((2 * n + thread) % sessions.size());
                    var step = payload("data_exchange", "WELCOME", s[0]);
                    step.with("data").put("name", "typed").put("n", thread + "-" + n);
                    String name = client.send(step).data().path("name").asText();
                    boolean after = promoted.get();
                    seen.merge(s[1] + ":" + name, 1, Integer::sum);
                    boolean allowed = s[1].equals("treatment") ? name.equals("new-1") : name.equals("old-2") || name.equals("new-1");
                    if (!allowed || (after && !name.equals("new-1") && afterPromotion.get() > 4)) {
                        wrong.add(s[1] + " session answered " + name + (after ? " after" : " during") + " the promotion");
                    }
                    if (after) {
                        afterPromotion.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> seen.getOrDefault("control:old-2", 0) >= 5
                && seen.getOrDefault("treatment:new-1", 0) >= 5);
        RoutingApiInstance.AdminAnswer promotion = app.admin("POST", "/api/experiments/promote/promote", "{\"variant\":\"treatment\"}");
        promoted.set(true);
        for (Future<?> f : steppers) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(promotion.status()).as(promotion.raw()).isEqualTo(200);
        assertThat(promotion.json().path("status").asText()).isEqualTo("finished");
        assertThat(promotion.json().path("winner").asText()).isEqualTo("treatment");
        assertThat(wrong).as("answers seen: " + seen).isEmpty();
        assertThat(seen).containsKey("control:new-1");
        JsonNode rules = app.admin("GET", "/api/flows/" + flowId + "/rules", null).json().path("rules");
        assertThat(rules).extracting(r -> r.path("screen").asText() + ":" + r.at("/data/name").asText())
                .containsExactlyInAnyOrder("WELCOME:'new-1'", "WELCOME:'new-2'");
        assertRefused(app.admin("POST", "/api/experiments/promote/promote", "{\"variant\":\"treatment\"}"), 409, "is finished");
    }

    private static String rule(int priority, String condition, String name) {
        return "{\"screen\":\"WELCOME\",\"action\":\"data_exchange\",\"priority\":" + priority + ",\"condition\":\"" + condition
                + "\",\"next_screen\":\"DETAILS\",\"name\":\"" + name + "\",\"data\":{\"name\":\"'" + name + "'\"}}";
    }

    private static String user(Map<String, String> variants, String variant) {
        return variants.entrySet().stream().filter(e -> e.getValue().equals(variant)).findFirst().orElseThrow().getKey();
    }

    private static void assertRefused(RoutingApiInstance.AdminAnswer answer, int status, String mentions) {
        assertThat(answer.status()).as(answer.raw()).isEqualTo(status);
        assertThat(answer.json()).as(answer.raw()).isNotNull();
        assertThat(answer.json().path("error").asText()).isNotBlank();
        assertThat(answer.raw()).contains(mentions);
    }
}
