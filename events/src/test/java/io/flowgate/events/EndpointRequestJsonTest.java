package io.flowgate.events;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventJson#toBytes} writes an {@code endpoint_request} field by field (issue 12): the bytes must be exactly
 * those of the mapper's databind serialisation, the form every consumer and the JSON Schema know, for every shape of
 * the event (optional fields absent or present, the experiment tag, text that needs escaping, instants with 0 to 9
 * fractional digits), and valid against {@code endpoint_request.schema.json}.
 */
class EndpointRequestJsonTest {

    @Test
    void theDirectWriteIsByteForByteTheMappersSerialisationAndValid() throws Exception {
        List<EndpointRequest> events = List.of(
                new EndpointRequest("e-1", Instant.parse("2026-12-07T04:30:00Z"), null, null, "", "ping", 200,
                        EndpointRequest.OUTCOME_OK, 0),
                new EndpointRequest("e-2", Instant.parse("2026-12-07T04:30:00.120Z"), "flow-1", "5f0c2d8e-3b1a-4c55-9a57-0e4d3c2b1a00",
                        "DETAILS", "data_exchange", 200, EndpointRequest.OUTCOME_OK, 1_234_567, 3, "exp-checkout", "b"),
                new EndpointRequest("e-3", Instant.ofEpochSecond(1_800_000_000L, 123_456_789), "flow-2", "s-3",
                        "SCR\"EEN\\ é \u0001\u001f\t\n ✓ \uD83D\uDE00 </script>", "UNKNOWN\u2028", 500,
                        EndpointRequest.OUTCOME_INTERNAL_ERROR, Long.MAX_VALUE).withFlowVersion(Integer.MAX_VALUE),
                new EndpointRequest("e-4", Instant.ofEpochSecond(0, 1_000), null, null, "", "unknown", 413,
                        EndpointRequest.OUTCOME_TOO_LARGE, 5),
                new EndpointRequest("e-5", Instant.ofEpochSecond(-1, 999_999_000), "f", null, "X", "INIT", 503,
                        EndpointRequest.OUTCOME_OVERLOADED, 7).withExperiment("e", "a"));
        for (EndpointRequest event : events) {
            byte[] expected = EventJson.mapper().writeValueAsBytes(event);
            byte[] written = EventJson.toBytes(event);
            assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(new String(expected, StandardCharsets.UTF_8));
            assertThat(written).isEqualTo(expected);
            assertThat(EventSchemas.violations(written)).as(new String(written, StandardCharsets.UTF_8)).isEmpty();
            assertThat(EventJson.fromBytes(written)).isEqualTo(event);
        }
    }
}
