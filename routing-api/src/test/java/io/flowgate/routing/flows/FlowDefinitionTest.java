package io.flowgate.routing.flows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowDefinitionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode flow(String resource) throws IOException {
        try (var in = FlowDefinitionTest.class.getResourceAsStream("/flows/" + resource)) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    private static FlowValidationException refused(JsonNode json) {
        try {
            FlowDefinition.parse("f", json);
        } catch (FlowValidationException e) {
            return e;
        }
        throw new AssertionError("the Flow was accepted");
    }

    @Test
    void validFlowExposesScreensRoutesAndEntry() throws Exception {
        FlowDefinition def = FlowDefinition.parse("appointment", flow("appointment.json"));
        assertThat(def.entryScreen()).isEqualTo("WELCOME");
        assertThat(def.screens()).containsOnlyKeys("WELCOME", "DETAILS", "SCHEDULE", "NOTIFY_ME", "CONFIRM");
        assertThat(def.routesFrom("DETAILS")).containsExactly("SCHEDULE", "NOTIFY_ME");
        assertThat(def.allows("DETAILS", "SCHEDULE")).isTrue();
        assertThat(def.allows("DETAILS", "DETAILS")).isTrue();
        assertThat(def.allows("DETAILS", "CONFIRM")).isFalse();
        assertThat(def.allows("CONFIRM", FlowDefinition.SUCCESS)).isTrue();
        assertThat(def.allows("DETAILS", FlowDefinition.SUCCESS)).isFalse();
        assertThat(def.reachable("WELCOME", "CONFIRM")).isTrue();
        assertThat(def.reachable("SCHEDULE", "NOTIFY_ME")).isFalse();
        assertThat(def.screen("SCHEDULE").data()).containsKey("slots");
    }

    @Test
    void backwardRouteIsRefusedNamingTheCycle() throws Exception {
        ObjectNode json = flow("linear.json");
        ((ArrayNode) json.with("routing_model").withArray("CONFIRM")).add("WELCOME");
        assertThat(refused(json).problems()).anySatisfy(p -> assertThat(p).contains("routes go backwards").contains("WELCOME"));
    }

    @Test
    void everyProblemIsListedNotJustTheFirst() throws Exception {
        ObjectNode json = flow("linear.json");
        json.remove("data_api_version");
        ((ArrayNode) json.with("routing_model").withArray("WELCOME")).add("NOWHERE");
        ((ArrayNode) json.with("routing_model").withArray("DETAILS")).add("DETAILS");
        ((ObjectNode) json.withArray("screens").get(1)).put("id", "SUCCESS");
        var problems = refused(json).problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("data_api_version"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("NOWHERE").contains("not a screen"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("SUCCESS is reserved"));
        assertThat(problems.size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void screenDataNeedsTypeAndExample() throws Exception {
        ObjectNode json = flow("linear.json");
        ObjectNode data = ((ObjectNode) json.withArray("screens").get(0)).with("data");
        data.putObject("nameless").put("__example__", "x");
        data.putObject("exampleless").put("type", "string");
        var problems = refused(json).problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("data.nameless").contains("type"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("data.exampleless").contains("__example__"));
    }

    @Test
    void deadEndAndMissingTerminalAreRefused() throws Exception {
        ObjectNode json = flow("linear.json");
        json.with("routing_model").putArray("DETAILS");
        ((ObjectNode) json.withArray("screens").get(2)).put("terminal", false);
        var problems = refused(json).problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("DETAILS").contains("needs at least one route"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("terminal screen with success"));
    }

    @Test
    void tooManyBranchesDuplicateIdsAndBadShapesAreRefused() throws Exception {
        ObjectNode json = flow("linear.json");
        ArrayNode screens = json.withArray("screens");
        ArrayNode welcomeRoutes = json.with("routing_model").putArray("WELCOME");
        for (int i = 0; i < 11; i++) {
            String id = "EXTRA_" + (char) ('A' + i);
            screens.addObject().put("id", id).put("terminal", true).putObject("layout").put("type", "SingleColumnLayout");
            welcomeRoutes.add(id);
        }
        screens.addObject().put("id", "DETAILS").putObject("layout");
        var problems = refused(json).problems();
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("11 branches"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("duplicate screen id"));
        assertThat(refused(JSON.readTree("[]")).problems()).containsExactly("the Flow JSON must be an object");
        assertThat(refused(JSON.readTree("{}")).problems()).anySatisfy(p -> assertThat(p).startsWith("screens"));
    }

    @Test
    void routingModelIsRequiredForAnEndpointFlow() throws Exception {
        ObjectNode json = flow("linear.json");
        json.remove("routing_model");
        assertThatThrownBy(() -> FlowDefinition.parse("f", json))
                .isInstanceOf(FlowValidationException.class)
                .hasMessageContaining("routing_model: required");
    }
}
