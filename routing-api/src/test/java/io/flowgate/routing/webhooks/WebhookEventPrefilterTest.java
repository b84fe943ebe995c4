package io.flowgate.routing.webhooks;

import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.Heartbeat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WebhookEvent#mayApply}, the look at a record before the webhook consumer parses it: it skips endpoint
 * requests and steps that neither complete nor hand over, in Jackson's field order and in PostgreSQL's (the
 * outbox relay sends the row's text), and never an event {@link WebhookEvent#of} would use.
 */
class WebhookEventPrefilterTest {

    private static final Instant T = Instant.parse("2026-12-07T01:00:00Z");

    private static FlowTransition step(boolean completed, boolean handover) {
        return new FlowTransition("e-" + completed + handover, T, "flow", "s1", "15550001111", T, "A", "B", "data_exchange",
                Map.of("completed", "true"), completed, handover, FlowTransition.SOURCE_FLOW);
    }

    private static boolean mayApply(String json) {
        return WebhookEvent.mayApply(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void endpointRequestsAndPlainStepsAreSkippedCompletionsHandoversAndLeadUpdatesAreNot() {
        List<FlowgateEvent> events = List.of(
                new EndpointRequest("r1", T, "flow", "s1", "A", "data_exchange", 200, "ok", 900),
                new Heartbeat("h1", T, 0),
                step(false, false), step(true, false), step(false, true),
                WebhookTestBed.update("15550001111", 1, "completed"));
        for (FlowgateEvent event : events) {
            boolean wanted = WebhookEvent.of(event).isPresent();
            assertThat(WebhookEvent.mayApply(EventJson.toBytes(event))).as(event.toString()).isEqualTo(wanted);
        }
    }

    @Test
    void anyFieldOrderAndSpacingNestedFieldsDoNotCountAndDoubtMeansParse() {
        // PostgreSQL's text of a json column keeps the text; of jsonb it reorders and spaces it
        assertThat(mayApply("""
                {"user_id": "1", "fields": {"completed": true, "handover": "true"}, "completed": false, "type": "flow_transition"}""")).isFalse();
        assertThat(mayApply("{\"completed\": null, \"type\": \"flow_transition\"}")).isFalse();
        assertThat(mayApply("{\"type\":\"endpoint_request\",\"event_time\":\"not a time\"}")).isFalse();
        assertThat(mayApply("{\"handover\": true, \"type\": \"flow_transition\"}")).isTrue();
        // Jackson reads "true" and 1 as true: the full parse decides
        assertThat(mayApply("{\"type\":\"flow_transition\",\"completed\":\"true\"}")).isTrue();
        assertThat(mayApply("{\"type\":\"flow_transition\",\"completed\":1}")).isTrue();
        // unknown, missing or doubled type, unreadable, not an object: parsed, and reported as before
        assertThat(mayApply("{\"type\":\"something_new\"}")).isTrue();
        assertThat(mayApply("{\"completed\":false}")).isTrue();
        assertThat(mayApply("{\"type\":\"endpoint_request\",\"type\":\"lead_state_updated\"}")).isTrue();
        assertThat(mayApply("{\"type\":\"endpoint_request\",\"event_time\":")).isTrue();
        assertThat(mayApply("[1]")).isTrue();
        assertThat(mayApply("not json")).isTrue();
    }
}
