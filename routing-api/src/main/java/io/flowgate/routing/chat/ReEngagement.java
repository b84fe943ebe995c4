package io.flowgate.routing.chat;

import io.flowgate.meta.Masked;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.StaleSession;
import io.flowgate.routing.whatsapp.Messages;
import io.flowgate.routing.whatsapp.OutgoingMessages;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Leads who stop answering. When the analytics job flags a chat session stale ({@code flowgate.stale-sessions}),
 * the lead gets ONE re-engagement message: a template, because the 24-hour service window may have closed.
 * The stale event is deduplicated by its id and {@code re_engaged_at} is recorded, so a redelivered event,
 * or a second one for the same silence, sends nothing. Later, a lead still silent {@code cold-after} after
 * its last message is marked cold and the CRM is told. Stale Flow sessions are the analytics' business
 * (drop-off per screen): they are not recorded here.
 */
@Component
class ReEngagement {

    private static final Logger log = LoggerFactory.getLogger(ReEngagement.class);
    static final int COLD_BATCH = 100;

    private final TransactionTemplate tx;
    private final ProcessedMessages processed;
    private final LeadRepository leads;
    private final OutgoingMessages outgoing;
    private final LeadEvents events;
    private final ChatProperties properties;
    private final Clock clock;
    private final MeterRegistry meters;

    ReEngagement(TransactionTemplate tx, ProcessedMessages processed, LeadRepository leads, OutgoingMessages outgoing,
                 LeadEvents events, ChatProperties properties, Clock clock, MeterRegistry meters) {
        this.tx = tx;
        this.processed = processed;
        this.leads = leads;
        this.outgoing = outgoing;
        this.events = events;
        this.properties = properties;
        this.clock = clock;
        this.meters = meters;
    }

    /** Reacts to a stale session; returns what became of the event. */
    String staleSession(StaleSession stale) {
        String outcome;
        if (!FlowTransition.SOURCE_CHAT.equals(stale.source())) {
            log.debug("stale flow session {} of flow {}: analytics only", stale.sessionId(), stale.flowId());
            outcome = "flow_session";
        } else if (stale.eventId() == null || stale.userId() == null || stale.sessionId() == null) {
            outcome = "unidentified";
        } else {
            outcome = tx.execute(status -> reEngage(stale));
        }
        meters.counter("flowgate.chat.stale.sessions", "outcome", outcome).increment();
        return outcome;
    }

    private String reEngage(StaleSession stale) {
        Instant at = stale.eventTime() != null ? stale.eventTime() : clock.instant();
        if (!processed.claim(stale.eventId(), stale.userId(), ProcessedMessages.STALE_SESSION, at)) {
            return "duplicate";
        }
        String outcome = decide(stale);
        processed.outcome(stale.eventId(), outcome);
        return outcome;
    }

    private String decide(StaleSession stale) {
        Optional<Lead> found = leads.lock(stale.userId());
        if (found.isEmpty()) {
            return "unknown_lead";
        }
        Lead lead = found.get();
        if (!lead.sessionId().toString().equals(stale.sessionId())) {
            // a conversation the user has since restarted
            return "other_session";
        }
        if (lead.reEngagedAt() != null && !lead.reEngagedAt().isBefore(lead.lastInteraction())) {
            // re-engaged already, and silent since: once per silence
            return "already_re_engaged";
        }
        if (!Lead.ACTIVE.equals(lead.status())) {
            // completed, with a human, or already cold
            return "not_active";
        }
        outgoing.enqueue(lead.sendTo(), Messages.template(properties.reengagementTemplate(), properties.reengagementLanguage(),
                List.of()), null);
        leads.markReEngaged(lead.id(), clock.instant());
        log.info("user {} re-engaged in state {} of {}", Masked.id(lead.waId()), lead.currentState(), lead.machineId());
        return "re_engaged";
    }

    /** Marks the active leads silent for {@code cold-after} cold, batch by batch; returns how many. */
    int markColdLeads() {
        int total = 0;
        while (true) {
            Integer marked = tx.execute(status -> coldBatch());
            total += marked == null ? 0 : marked;
            if (marked == null || marked < COLD_BATCH) {
                break;
            }
        }
        if (total > 0) {
            meters.counter("flowgate.chat.leads.cold").increment(total);
            log.info("{} lead(s) silent for {} marked cold", total, properties.coldAfter());
        }
        return total;
    }

    private int coldBatch() {
        Instant now = clock.instant();
        List<Lead> inactive = leads.lockInactive(now.minus(properties.coldAfter()), COLD_BATCH);
        for (Lead lead : inactive) {
            Lead cold = lead.withStatus(Lead.COLD);
            leads.update(cold, now);
            events.changed(lead, cold, null, false, "cold:" + UUID.randomUUID(), now);
        }
        return inactive.size();
    }
}
