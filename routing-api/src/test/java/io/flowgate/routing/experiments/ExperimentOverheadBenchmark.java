package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.rules.RuleContext;
import io.flowgate.routing.rules.RuleDefinition;
import io.flowgate.routing.rules.RuleEngine;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.routing.testclient.WhatsAppFlowClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.flowgate.routing.experiments.ExperimentFixtures.createAndStart;
import static io.flowgate.routing.experiments.ExperimentFixtures.experiment;
import static io.flowgate.routing.experiments.ExperimentFixtures.flowWithNormalRule;
import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the experiment bookkeeping costs per transition, in one run: the rule engine's decision for a
 * session in no experiment, in a running experiment's control and in its treatment; and whole
 * data_exchange requests over HTTP (decrypt, lock, decide, write, outbox event, encrypt) for a session
 * outside and inside the experiment, in alternating blocks. Not part of the build (no {@code Test}
 * suffix); run it by name (docs/benchmarks.md):
 *
 * <pre>
 * ./mvnw -B -o -q -pl routing-api -am test -Dtest=ExperimentOverheadBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class ExperimentOverheadBenchmark {

    private static final int DECIDE_ROUNDS = 15;
    private static final int DECISIONS_PER_ROUND = 50_000;
    private static final int HTTP_ROUNDS = 10;
    private static final int REQUESTS_PER_ROUND = 150;

    @Test
    void measure() {
        try (RoutingApiInstance app = RoutingApiInstance.builder().start()) {
            flowWithNormalRule(app, "bench-plain");
            flowWithNormalRule(app, "bench-exp");
            createAndStart(app, experiment("bench", "bench-exp", 1, 1), "bench");
            RuleEngine engine = app.context().getBean(RuleEngine.class);
            ObjectNode submitted = JsonNodeFactory.instance.objectNode().put("model", "x");
            RuleContext context = new RuleContext(submitted, "15550001111", "bench-exp", "DETAILS", submitted,
                    JsonNodeFactory.instance.objectNode(), 2);
            Map<String, Runnable> decisions = new LinkedHashMap<>();
            decisions.put("no experiment", () -> engine.decide("bench-plain", "DETAILS", RuleDefinition.DATA_EXCHANGE, context));
            decisions.put("control", () -> engine.decide("bench-exp", "DETAILS", RuleDefinition.DATA_EXCHANGE, context, "bench", "control"));
            decisions.put("treatment", () -> engine.decide("bench-exp", "DETAILS", RuleDefinition.DATA_EXCHANGE, context, "bench", "notify"));
            decisions.values().forEach(d -> nanosPer(d, DECISIONS_PER_ROUND)); // warm-up
            Map<String, List<Double>> nanos = new LinkedHashMap<>();
            for (int round = 0; round < DECIDE_ROUNDS; round++) {
                decisions.forEach((kind, d) -> nanos.computeIfAbsent(kind, k -> new ArrayList<>()).add(nanosPer(d, DECISIONS_PER_ROUND)));
            }
            nanos.forEach((kind, values) -> System.out.printf("decide, %-13s: median %.0f ns per decision over %d interleaved rounds of %d%n",
                    kind, median(values), DECIDE_ROUNDS, DECISIONS_PER_ROUND));

            String plain = app.mint("15550002222", "bench-plain", null).path("flow_token").asText();
            JsonNode inExperiment = app.mint("15550003333", "bench-exp", null);
            assertThat(inExperiment.path("variant").asText()).isNotEmpty();
            String experimental = inExperiment.path("flow_token").asText();
            WhatsAppFlowClient client = app.client();
            client.send(payload("INIT", "", plain));
            client.send(payload("INIT", "", experimental));
            List<Double> plainRates = new ArrayList<>();
            List<Double> experimentRates = new ArrayList<>();
            for (int round = 0; round < HTTP_ROUNDS; round++) {
                plainRates.add(requestsPerSecond(client, plain, round));
                experimentRates.add(requestsPerSecond(client, experimental, round));
            }
            System.out.printf("data_exchange WELCOME->DETAILS, sequential, %d rounds of %d: no experiment median %.0f req/s %s;"
                            + " in experiment (%s) median %.0f req/s %s%n", HTTP_ROUNDS, REQUESTS_PER_ROUND,
                    median(plainRates), plainRates, inExperiment.path("variant").asText(), median(experimentRates), experimentRates);
        }
    }

    private static double requestsPerSecond(WhatsAppFlowClient client, String token, int round) {
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS_PER_ROUND; i++) {
            ObjectNode step = payload("data_exchange", "WELCOME", token);
            step.with("data").put("name", "n" + round + "-" + i);
            assertThat(client.send(step).screen()).isEqualTo("DETAILS");
        }
        return Math.round(REQUESTS_PER_ROUND * 1e10 / (System.nanoTime() - start)) / 10.0;
    }

    private static double nanosPer(Runnable r, int times) {
        long start = System.nanoTime();
        for (int i = 0; i < times; i++) {
            r.run();
        }
        return (System.nanoTime() - start) / (double) times;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
