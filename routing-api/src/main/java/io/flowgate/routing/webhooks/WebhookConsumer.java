package io.flowgate.routing.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.meta.Masked;
import io.flowgate.events.Topics;
import io.flowgate.routing.chat.LeadFields;
import io.flowgate.routing.kafka.CommittingConsumer;
import io.flowgate.routing.kafka.KafkaStatus;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns committed events into deliveries: reads {@code flowgate.lead-updates} and {@code flowgate.transitions}
 * (group {@code flowgate.webhooks.consumer-group}) and records, in one transaction per event, one
 * {@code webhook_deliveries} row per enabled subscription that wants it; then commits the offsets
 * ({@link CommittingConsumer}). A redelivered event finds its rows there already (unique per subscription and
 * event id). The body is built here, once, so every retry sends the same bytes.
 */
@Component
class WebhookConsumer extends CommittingConsumer {

    private static final Logger log = LoggerFactory.getLogger(WebhookConsumer.class);
    private static final Duration FETCH_WAIT = Duration.ofMillis(100);

    private final WebhookRepository repository;
    private final LeadFields leads;
    private final TransactionTemplate tx;
    private final ObjectMapper json;
    private final MeterRegistry meters;

    WebhookConsumer(KafkaStatus kafka, WebhookProperties properties, WebhookRepository repository, LeadFields leads,
                    TransactionTemplate tx, ObjectMapper json, MeterRegistry meters) {
        super(kafka, "webhooks", properties.consumerGroup(), List.of(Topics.LEAD_UPDATES, Topics.TRANSITIONS), meters);
        this.repository = repository;
        this.leads = leads;
        this.tx = tx;
        this.json = json;
        this.meters = meters;
    }

    /**
     * Deliveries may start 100 ms later: a busy {@code flowgate.transitions} (two records per Flow step, nearly
     * all skipped) is then fetched in batches rather than a few records at a time.
     */
    @Override
    protected Duration fetchWait() {
        return FETCH_WAIT;
    }

    /** Endpoint requests and steps that neither complete nor hand over are skipped before they are parsed. */
    @Override
    protected boolean mayApply(byte[] value) {
        return WebhookEvent.mayApply(value);
    }

    @Override
    protected boolean apply(FlowgateEvent event) {
        Optional<WebhookEvent> found = WebhookEvent.of(event);
        if (found.isEmpty()) {
            return false;
        }
        WebhookEvent e = found.get();
        tx.executeWithoutResult(status -> record(e));
        return true;
    }

    private void record(WebhookEvent event) {
        List<WebhookRepository.Subscription> subscriptions = repository.enabled();
        if (subscriptions.isEmpty()) {
            return;
        }
        String machine = event.isLeadEvent() ? leads.machineOf(event.leadKey()).orElse(null) : null;
        Set<String> structured = machine == null ? Set.of() : leads.structuredFields(machine);
        for (WebhookRepository.Subscription s : subscriptions) {
            Optional<String> type = event.typeFor(s.eventTypes());
            if (type.isEmpty()
                    || event.isLeadEvent() && s.machineId() != null && !s.machineId().equals(machine)
                    || !event.isLeadEvent() && s.flowId() != null && !s.flowId().equals(event.flowId())) {
                continue;
            }
            JsonNode body = Payloads.body(json, event, type.get(), machine, structured, s.includeFreeText());
            if (s.mapping() != null) {
                body = Mapping.apply(json, s.mapping(), body);
            }
            if (repository.addDelivery(s.id(), event.eventId(), type.get(), event.leadKey(), text(body), event.occurredAt())) {
                meters.counter("flowgate.webhooks.recorded", "subscription", String.valueOf(s.id())).increment();
                log.debug("webhook {} queued {} of {} for subscription {}", event.eventId(), type.get(), Masked.id(event.leadKey()), s.id());
            }
        }
    }

    private String text(JsonNode body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a webhook body cannot be written", e);
        }
    }
}
