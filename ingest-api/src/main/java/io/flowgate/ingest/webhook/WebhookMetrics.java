package io.flowgate.ingest.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.util.EnumMap;
import java.util.Map;

/**
 * The webhook's counters, registered once at start so that every outcome shows (at zero) on
 * {@code /actuator/prometheus} before it first happens, and alerts can be written against them.
 * Tags take only values from fixed sets: nothing Meta or a caller sends becomes a tag.
 */
@Component
class WebhookMetrics {

    private final Map<Outcome, Counter> webhooks = new EnumMap<>(Outcome.class);
    private final Map<MalformedWebhookException.Reason, Counter> deadLetters = new EnumMap<>(MalformedWebhookException.Reason.class);
    private final Counter ignoredChanges;

    WebhookMetrics(MeterRegistry meters) {
        for (Outcome outcome : Outcome.values()) {
            webhooks.put(outcome, Counter.builder("flowgate.ingest.webhooks")
                    .description("POST /webhook requests by outcome (accepted, or the reason they were refused)")
                    .tag("outcome", outcome.code())
                    .register(meters));
        }
        for (MalformedWebhookException.Reason reason : MalformedWebhookException.Reason.values()) {
            deadLetters.put(reason, Counter.builder("flowgate.ingest.dead.letters")
                    .description("Signed webhook bodies kept on flowgate.inbound.dead-letter instead of being routed")
                    .tag("reason", reason.code())
                    .register(meters));
        }
        ignoredChanges = Counter.builder("flowgate.ingest.changes.ignored")
                .description("Webhook changes of a field other than messages: acknowledged, nothing to route")
                .register(meters);
    }

    void webhook(Outcome outcome) {
        webhooks.get(outcome).increment();
    }

    void deadLetter(MalformedWebhookException.Reason reason) {
        deadLetters.get(reason).increment();
    }

    void ignoredChanges(int count) {
        if (count > 0) {
            ignoredChanges.increment(count);
        }
    }
}
