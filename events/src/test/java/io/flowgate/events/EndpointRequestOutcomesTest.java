package io.flowgate.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code endpoint_request} schema's outcome list is exactly the producer's {@code EndpointRequest.OUTCOME_*}
 * constants: an outcome added on one side only (as {@code database_unavailable} once was) fails here, not
 * in a consumer that refuses the event.
 */
class EndpointRequestOutcomesTest {

    @Test
    void theSchemasOutcomesAreTheRecordsConstants() throws IllegalAccessException {
        Set<String> constants = new TreeSet<>();
        for (Field field : EndpointRequest.class.getDeclaredFields()) {
            if (field.getName().startsWith("OUTCOME_") && Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                constants.add((String) field.get(null));
            }
        }
        Set<String> schema = new TreeSet<>();
        JsonNode outcomes = EventSchemas.schemaJson("endpoint_request").path("properties").path("outcome").path("enum");
        outcomes.forEach(outcome -> schema.add(outcome.asText()));

        assertThat(constants).hasSizeGreaterThan(5);
        assertThat(schema).as("endpoint_request.schema.json's outcome enum against EndpointRequest.OUTCOME_*")
                .isEqualTo(constants);
    }
}
