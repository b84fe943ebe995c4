package io.flowgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.events.Topics;
import io.flowgate.simulator.flow.BusinessPublicKey;
import io.flowgate.simulator.flow.ExperimentScenario;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The guardrail loop end to end, on the embedded run (issue 13): the simulator's slow-rules experiment
 * (treatment {@code slow}, whose DETAILS rule does {@link #LOOKUPS} database lookups) gets simulated users
 * through routing-api; the analytics job sees the treatment's endpoint p90 latency above the experiment's
 * {@code max_p90_latency_ms}, writes the {@code experiment_guardrail_stops} row; routing-api then shows
 * the variant stopped with its reason and assigns new users to the control only.
 */
class ExperimentGuardrailEndToEndTest {

    private static final Logger log = LoggerFactory.getLogger(ExperimentGuardrailEndToEndTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXPERIMENT = "guardrail-e2e";
    /**
     * Ten times the simulator's default (ten rules of 100 lookups): a slow DETAILS request is 1000 database
     * round trips, tens of milliseconds even on a fast machine (~100 ms on the loaded build machine).
     */
    private static final int LOOKUPS = 1000;
    /**
     * Well below a slow DETAILS request, which is ~1 in 4 of the treatment's requests, so the treatment's
     * p90 is one of them whatever the machine's speed. (With 300 lookups the loaded build machine saw a p90
     * of 46 ms for the treatment and 22 ms for the control; the control is never judged by guardrails.)
     */
    private static final double MAX_P90_MS = 25;

    @TempDir
    Path home;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void aSlowTreatmentIsStoppedByTheLatencyGuardrailAndNewUsersGetTheControl() throws Exception {
        try (EmbeddedFlowgate flowgate = EmbeddedFlowgate.start(TestStack.environment(home, "15s")::get)) {
            ExperimentScenario scenario = ExperimentScenario.connect(http, flowgate.routingApi(),
                    BusinessPublicKey.read(flowgate.publicKey()), flowgate.appSecret(), flowgate.adminToken());
            scenario.install(ExperimentScenario.Kind.SLOW_RULES, EXPERIMENT, MAX_P90_MS, LOOKUPS);

            // users until the job has looked at a minute with enough of the treatment's requests and stopped it
            AtomicInteger batch = new AtomicInteger();
            List<ExperimentScenario.Result> before = new ArrayList<>();
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ZERO).pollDelay(Duration.ZERO).until(() -> {
                ExperimentScenario.Result result = scenario.run(10, 1000 + batch.get(), "4915550" + batch.getAndIncrement() + "0");
                assertThat(result.problems()).isEmpty();
                before.add(result);
                return stop(flowgate) != null;
            });
            assertThat(before).anySatisfy(r -> assertThat(r.variants()).containsKeys("control", "slow"));
            assertThat(stop(flowgate)).isEqualTo("p90_latency");

            JsonNode experiment = getExperiment(flowgate);
            assertThat(experiment.path("status").asText()).isEqualTo("running");
            JsonNode slow = variant(experiment, "slow");
            assertThat(slow.path("assigning").asBoolean()).isFalse();
            JsonNode stop = slow.path("guardrail_stop");
            assertThat(stop.path("guardrail").asText()).isEqualTo("p90_latency");
            assertThat(stop.path("threshold").asDouble()).isEqualTo(MAX_P90_MS);
            assertThat(stop.path("observed").asDouble()).isGreaterThan(MAX_P90_MS);
            assertThat(stop.path("reason").asText()).startsWith("stopped by guardrail p90_latency: observed ");
            log.info("{} stopped after {} users; before the stop: {}", stop, 10 * before.size(), before.get(before.size() - 1).variants());
            assertThat(variant(experiment, "control").path("assigning").asBoolean()).isTrue();
            assertThat(experiment.path("guardrail_stops")).hasSize(1);

            // the job announced it on flowgate.alerts, with the stop row's id
            JsonNode breached = breachedEvent(flowgate);
            assertThat(breached.path("event_id").asText()).isEqualTo("guardrail:" + EXPERIMENT + ":slow")
                    .isEqualTo(stop.path("detail").path("event_id").asText());
            assertThat(breached.path("guardrail").asText()).isEqualTo("p90_latency");
            assertThat(breached.path("observed").asDouble()).isEqualTo(stop.path("observed").asDouble());

            // new users: all in the control (the slow variant's buckets go to it), none outside the experiment
            ExperimentScenario.Result after = scenario.run(30, 2000, "4915551");
            assertThat(after.problems()).isEmpty();
            assertThat(after.variants()).containsOnlyKeys("control");
            assertThat(after.variants().get("control").sessions()).isEqualTo(30);
        }
    }

    /** The guardrail that stopped the slow variant, or null. */
    private static String stop(EmbeddedFlowgate flowgate) throws Exception {
        try (var c = DriverManager.getConnection(flowgate.dbUrl(), "postgres", "");
             var rs = c.createStatement().executeQuery("SELECT guardrail FROM experiment_guardrail_stops WHERE experiment_id = '"
                     + EXPERIMENT + "' AND variant = 'slow'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The experiment's {@code experiment_guardrail_breached} event on {@code flowgate.alerts}. */
    private static JsonNode breachedEvent(EmbeddedFlowgate flowgate) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, flowgate.kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "guardrail-e2e-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.ALERTS));
            JsonNode[] found = new JsonNode[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ZERO).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    JsonNode event = JSON.readTree(r.value());
                    if ("experiment_guardrail_breached".equals(event.path("type").asText())
                            && EXPERIMENT.equals(event.path("experiment_id").asText())) {
                        found[0] = event;
                    }
                }
                return found[0] != null;
            });
            return found[0];
        }
    }

    private JsonNode getExperiment(EmbeddedFlowgate flowgate) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(flowgate.routingApi().resolve("/api/experiments/" + EXPERIMENT))
                .header("Authorization", "Bearer " + flowgate.adminToken()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode variant(JsonNode experiment, String name) {
        for (JsonNode v : experiment.path("variants")) {
            if (name.equals(v.path("variant").asText())) {
                return v;
            }
        }
        throw new AssertionError("no variant " + name + " in " + experiment);
    }
}
