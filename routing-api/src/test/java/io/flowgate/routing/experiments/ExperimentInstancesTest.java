package io.flowgate.routing.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.EventSchemas;
import io.flowgate.events.Topics;
import io.flowgate.routing.support.RoutingApiInstance;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.flowgate.routing.experiments.ExperimentFixtures.createAndStart;
import static io.flowgate.routing.experiments.ExperimentFixtures.experiment;
import static io.flowgate.routing.experiments.ExperimentFixtures.flowWithNormalRule;
import static io.flowgate.routing.experiments.ExperimentFixtures.variantsOf;
import static io.flowgate.routing.experiments.ExperimentFixtures.walk;
import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One experiment seen by two routing-api instances on one database: a user's variant is the same on both
 * and after a restart; sessions' events carry the experiment and variant on a real Kafka broker; and a
 * guardrail stop row (as the analytics job writes it) stops assigning the variant on both instances.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentInstancesTest {

    private static final String FLOW = "exp-two";
    private static EmbeddedKafkaBroker broker;
    private static RoutingApiInstance a;
    private static RoutingApiInstance b;
    private static Map<String, String> assigned;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(2);
        a = RoutingApiInstance.builder().property("flowgate.kafka.bootstrap-servers", broker.bootstrapServers()).start();
        b = a.sibling();
        flowWithNormalRule(a, FLOW);
        createAndStart(a, experiment("two", FLOW, 1, 1), "two");
        assigned = variantsOf(a, FLOW, "1555040", 16);
        a.awaitKafkaAvailable();
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
        broker.close();
    }

    @Test
    @Order(1)
    void aUserHasTheSameVariantOnEveryInstanceAndAfterARestart() {
        assertThat(Set.copyOf(assigned.values())).containsExactlyInAnyOrder("control", "notify");
        assertThat(variantsOf(b, FLOW, "1555040", 16)).isEqualTo(assigned);
        assertThat(variantsOf(a, FLOW, "1555040", 16)).as("a second session of each user").isEqualTo(assigned);
        b.close();
        b = a.sibling();
        assertThat(variantsOf(b, FLOW, "1555040", 16)).as("after a restart").isEqualTo(assigned);
    }

    @Test
    @Order(2)
    void eventsOfASessionInTheExperimentCarryItsVariant() throws Exception {
        String[] treated = walk(a, user("notify"), FLOW);
        String[] controlled = walk(b, user("control"), FLOW);
        assertThat(treated[1]).isEqualTo("NOTIFY_ME");
        assertThat(controlled[1]).isEqualTo("SCHEDULE");
        try (TopicReader reader = TopicReader.fromBeginning(broker.bootstrapServers(), Topics.TRANSITIONS)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> events(reader, treated[0], "flow_transition").size() >= 3
                    && events(reader, treated[0], "endpoint_request").size() >= 3
                    && events(reader, controlled[0], "flow_transition").size() >= 3);
            for (String type : List.of("flow_transition", "endpoint_request")) {
                assertThat(events(reader, treated[0], type)).allSatisfy(e -> {
                    assertThat(e.path("experiment_id").asText()).isEqualTo("two");
                    assertThat(e.path("variant").asText()).isEqualTo("notify");
                });
            }
            assertThat(events(reader, controlled[0], "flow_transition"))
                    .allSatisfy(e -> assertThat(e.path("variant").asText()).isEqualTo("control"));
            assertThat(reader.violations(EventSchemas::violations)).isEmpty();
        }
    }

    @Test
    @Order(3)
    void aGuardrailStopStopsAssigningTheVariantOnEveryInstance() throws Exception {
        JsonNode ongoing = a.mint(user("notify"), FLOW, null);
        String token = ongoing.path("flow_token").asText();
        a.client().send(payload("INIT", "", token));
        try (Connection c = DriverManager.getConnection(a.dbUrl(), "postgres", ""); Statement st = c.createStatement()) {
            st.executeUpdate("""
                    INSERT INTO experiment_guardrail_stops (experiment_id, variant, guardrail, observed, threshold)
                    VALUES ('two', 'notify', 'p90_latency', 2400, 800)""");
        }
        Map<String, String> allControl = assigned.keySet().stream()
                .collect(java.util.stream.Collectors.toMap(k -> k, k -> "control", (x, y) -> x, java.util.LinkedHashMap::new));
        for (RoutingApiInstance instance : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(variantsOf(instance, FLOW, "1555040", 16)).isEqualTo(allControl));
        }
        JsonNode shown = b.admin("GET", "/api/experiments/two", null).json();
        assertThat(shown.path("status").asText()).isEqualTo("running");
        JsonNode notify = shown.path("variants").get(1);
        assertThat(notify.path("variant").asText()).isEqualTo("notify");
        assertThat(notify.path("assigning").asBoolean()).isFalse();
        assertThat(notify.at("/guardrail_stop/reason").asText()).contains("p90_latency", "2400", "800");
        assertThat(shown.path("variants").get(0).path("assigning").asBoolean()).isTrue();
        // the stopped variant's rules are no longer applied to its ongoing sessions either
        assertThat(b.client().send(payload("data_exchange", "DETAILS", token)).screen()).isEqualTo("SCHEDULE");
    }

    private static String user(String variant) {
        return assigned.entrySet().stream().filter(e -> e.getValue().equals(variant)).findFirst().orElseThrow().getKey();
    }

    private static List<JsonNode> events(TopicReader reader, String session, String type) {
        return reader.events(type, session);
    }
}
