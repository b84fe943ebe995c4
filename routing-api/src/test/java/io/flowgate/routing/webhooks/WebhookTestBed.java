package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.LeadStateUpdated;
import io.flowgate.events.Topics;
import io.flowgate.routing.support.KafkaTestBed;
import io.flowgate.routing.support.RoutingApiInstance;

import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * What the webhook tests run against: the {@link KafkaTestBed} (a broker, a routing-api on its own database)
 * with webhook settings shortened for tests, its producer writing committed events to
 * {@code flowgate.lead-updates} and {@code flowgate.transitions} the way the outbox relay does.
 */
final class WebhookTestBed extends KafkaTestBed {

    static final String SECRET_KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private WebhookTestBed(Map<String, Object> properties) {
        super(properties);
    }

    static WebhookTestBed start(Map<String, Object> extra) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("flowgate.webhooks.secret-key", SECRET_KEY);
        properties.put("flowgate.webhooks.poll-interval", "50ms");
        properties.putAll(extra);
        return new WebhookTestBed(properties);
    }

    /** Lead updates go to flowgate.lead-updates, everything else to flowgate.transitions, as the outbox relay writes them. */
    @Override
    protected String topicOf(FlowgateEvent e) {
        return e instanceof LeadStateUpdated ? Topics.LEAD_UPDATES : Topics.TRANSITIONS;
    }

    /** Creates a subscription; returns {subscription_id, secret, subscription}. */
    JsonNode subscribe(String json) {
        RoutingApiInstance.AdminAnswer answer = app().admin("POST", "/api/webhooks", json);
        if (answer.status() != 201) {
            throw new IllegalStateException("subscription refused: " + answer.raw());
        }
        return answer.json();
    }

    /** Update number {@code n} of lead {@code waId}: state S{n}, score n, one answer. */
    static LeadStateUpdated update(String waId, int n, String status) {
        return new LeadStateUpdated("lead:" + waId + ":" + n, Instant.now(), new LeadStateUpdated.Data(
                waId, n == 0 ? "" : "S" + (n - 1), "S" + n, n, Map.of("budget", 1000L * n, "note", "free text " + n),
                "normal", status));
    }
}
