package io.flowgate.routing.chat;

import io.flowgate.meta.Masked;
import io.flowgate.routing.chat.machine.ChatMachine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.events.InboundUpdate;
import io.flowgate.routing.chat.Conversation.Reply;
import io.flowgate.routing.chat.Conversation.Step;
import io.flowgate.routing.experiments.Assignment;
import io.flowgate.routing.experiments.Experiment;
import io.flowgate.routing.experiments.ExperimentAssigner;
import io.flowgate.routing.sessions.FlowSession;
import io.flowgate.routing.sessions.FlowSessionRepository;
import io.flowgate.routing.sessions.FlowTokens;
import io.flowgate.routing.sessions.SessionsProperties;
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
 * Applies one update of {@code flowgate.inbound}. A message is processed in ONE transaction: claim its
 * wamid (a redelivery changes nothing and sends nothing), lock the user's lead row (one user's messages
 * never interleave, across threads and instances), refuse a message older than the last one applied,
 * decide ({@link Conversation}), and write the lead, the replies ({@link OutgoingMessages}) and the events
 * ({@link LeadEvents}, through the outbox). Either all of it commits or none of it does, so a crash at any
 * point leaves the conversation where it was and the redelivered message is applied once.
 * A status update moves the message's delivery status forward ({@link MessageStatuses}).
 */
@Component
class InboundProcessor {

    private static final Logger log = LoggerFactory.getLogger(InboundProcessor.class);

    private final TransactionTemplate tx;
    private final ProcessedMessages processed;
    private final LeadRepository leads;
    private final ChatMachines machines;
    private final MessageStatuses statuses;
    private final OutgoingMessages outgoing;
    private final FlowSessionRepository flowSessions;
    private final SessionsProperties sessionSettings;
    private final LeadEvents events;
    private final ChatProperties properties;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ExperimentAssigner assigner;

    InboundProcessor(TransactionTemplate tx, ProcessedMessages processed, LeadRepository leads, ChatMachines machines,
                     MessageStatuses statuses, OutgoingMessages outgoing, FlowSessionRepository flowSessions,
                     SessionsProperties sessionSettings, LeadEvents events, ChatProperties properties, ObjectMapper mapper,
                     Clock clock, MeterRegistry meters, ExperimentAssigner assigner) {
        this.assigner = assigner;
        this.tx = tx;
        this.processed = processed;
        this.leads = leads;
        this.machines = machines;
        this.statuses = statuses;
        this.outgoing = outgoing;
        this.flowSessions = flowSessions;
        this.sessionSettings = sessionSettings;
        this.events = events;
        this.properties = properties;
        this.mapper = mapper;
        this.clock = clock;
        this.meters = meters;
    }

    /** Applies an update; returns what became of it (also counted in {@code flowgate_chat_updates_total}). */
    String process(InboundUpdate update) {
        String outcome = switch (String.valueOf(update.kind())) {
            case InboundUpdate.KIND_MESSAGE -> tx.execute(status -> message(update));
            case InboundUpdate.KIND_STATUS -> statuses.record(update);
            case InboundUpdate.KIND_ERROR -> {
                // an error without a message (e.g. 130429 throttling): the sender's business, not a lead's
                log.info("WhatsApp reported error {} for the business number", update.messageType());
                yield "error_reported";
            }
            default -> "unknown_kind";
        };
        meters.counter("flowgate.chat.updates", "outcome", outcome).increment();
        return outcome;
    }

    /**
     * Records a message the consumer gave up on (outcome {@code failed}), so that a redelivery is not tried
     * again; best effort, the consumer moves on either way.
     */
    void recordFailure(InboundUpdate update) {
        if (!InboundUpdate.KIND_MESSAGE.equals(update.kind()) || update.userId() == null || update.eventId() == null
                || update.eventTime() == null) {
            return;
        }
        try {
            tx.executeWithoutResult(status -> {
                if (processed.claim(update.eventId(), update.userId(), ProcessedMessages.MESSAGE, update.eventTime())) {
                    processed.outcome(update.eventId(), "failed");
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not record a failed message of user {}: {}", Masked.id(update.userId()), e.getClass().getSimpleName());
        }
    }

    private String message(InboundUpdate update) {
        if (update.userId() == null || update.eventId() == null || update.eventTime() == null) {
            return "unidentified";
        }
        if (!processed.claim(update.eventId(), update.userId(), ProcessedMessages.MESSAGE, update.eventTime())) {
            return "duplicate";
        }
        String outcome = apply(update);
        processed.outcome(update.eventId(), outcome);
        return outcome;
    }

    private String apply(InboundUpdate update) {
        Instant now = clock.instant();
        String sendTo = update.waId() != null ? update.waId() : update.userId();
        Lead lead = lockExisting(update).orElse(null);
        boolean created = false;
        ChatMachines.Current current;
        if (lead == null) {
            current = machines.current(properties.defaultMachine()).orElse(null);
            if (current == null) {
                log.warn("no chat machine {} (FLOWGATE_CHAT_DEFAULT_MACHINE): a new user's message is not answered",
                        properties.defaultMachine());
                return "no_machine";
            }
            Optional<Lead> fresh = leads.create(update.userId(), sendTo, current.machine().id(), update.eventTime(), now);
            created = fresh.isPresent();
            // empty: created a moment ago by another transaction, which this one waited for
            lead = fresh.or(() -> leads.lock(update.userId())).orElseThrow();
        } else {
            current = machines.current(lead.machineId()).orElse(null);
            if (current == null) {
                log.warn("chat machine {} of user {} is missing: the message is not answered", lead.machineId(), Masked.id(lead.waId()));
                return "no_machine";
            }
        }
        if (!created && lead.lastMessageAt() != null && update.eventTime().isBefore(lead.lastMessageAt())) {
            // delivered late: the conversation has moved past it, and applying it now would go backwards
            return "stale";
        }
        Input input = Input.of(update);
        if (created || input.isRestart(current.machine().restartKeyword())) {
            lead = assigned(lead, current);
        }
        // the lead's variant of the machine, from the same snapshot as the experiment it was assigned in
        ChatMachine machine = current.machineFor(lead.experimentId(), lead.variant());
        Step step = created ? Conversation.start(machine, lead)
                : Conversation.apply(machine, lead, input, input.flowReply() == null ? null : replySession(input, lead), update.eventTime());
        Lead after = step.lead().touched(update.eventTime(), now, sendTo);
        for (Reply reply : step.replies()) {
            after = send(after, reply, now);
        }
        leads.update(after, now);
        events.changed(created ? null : lead, after, machine, step.entered(), update.eventId(), update.eventTime());
        return step.outcome();
    }

    /**
     * A conversation that starts (a new user, or RESTART) is put into the user's variant of the machine's
     * running experiment ({@link Assignment}, the same sticky hash as Flow sessions); otherwise it is in none.
     * The variant is stored on the lead, so it holds for the whole conversation, on every instance.
     */
    private static Lead assigned(Lead lead, ChatMachines.Current current) {
        Experiment live = current.live();
        String variant = live == null ? null : Assignment.assign(live, lead.waId()).orElse(null);
        if (variant != null) {
            log.debug("user {}: experiment {}, variant {}", Masked.id(lead.waId()), live.experimentId(), variant);
        }
        return lead.inExperiment(variant == null ? null : live.experimentId(), variant);
    }

    /** The user's lead, locked; also found by phone number when Meta has started sending a business-scoped id. */
    private Optional<Lead> lockExisting(InboundUpdate update) {
        Optional<Lead> lead = leads.lock(update.userId());
        if (lead.isPresent() || update.waId() == null || update.waId().equals(update.userId())) {
            return lead;
        }
        Optional<Lead> byPhone = leads.lock(update.waId());
        byPhone.ifPresent(l -> leads.rekey(l.id(), update.userId()));
        return byPhone.map(l -> l.rekeyed(update.userId()));
    }

    /**
     * The Flow session a completion belongs to: by its flow token, or, when the client left the token out,
     * by the Flow message it answers ({@code context.id} → the message's correlation → the session id).
     * Only a session of this very user counts.
     */
    private UUID replySession(Input input, Lead lead) {
        Optional<FlowSession> session = Optional.empty();
        byte[] hash = FlowTokens.hash(input.flowReply().flowToken());
        if (hash != null) {
            session = flowSessions.lockByTokenHash(hash);
        }
        if (session.isEmpty() && input.contextId() != null) {
            session = outgoing.correlationOf(input.contextId()).flatMap(InboundProcessor::uuid).flatMap(flowSessions::findById);
        }
        return session.filter(s -> s.waId().equals(lead.waId())).map(FlowSession::sessionId).orElse(null);
    }

    /** Queues a reply; a Flow is opened with a freshly minted token, whose session the lead then waits for. */
    private Lead send(Lead lead, Reply reply, Instant now) {
        if (reply instanceof Reply.Message m) {
            outgoing.enqueue(lead.sendTo(), m.body(), null);
            return lead;
        }
        Reply.OpenFlow open = (Reply.OpenFlow) reply;
        String token = FlowTokens.mint();
        ObjectNode initial = lead.data().isEmpty() ? JsonNodeFactory.instance.objectNode() : mapper.valueToTree(lead.data());
        FlowSession session = new FlowSession(UUID.randomUUID(), lead.waId(), open.flow().flowId(), FlowSession.ACTIVE, null,
                List.of(), JsonNodeFactory.instance.objectNode(), initial, null, null, 0, now, now,
                now.plus(sessionSettings.tokenTtl()), null, null, null, null);
        session = assigner.assign(session);
        flowSessions.insert(session, FlowTokens.hash(token));
        outgoing.enqueue(lead.sendTo(), Messages.flow(open.body(), open.flow().flowId(), token, open.flow().cta()),
                session.sessionId().toString());
        log.info("user {} handed into flow {} (session {})", Masked.id(lead.waId()), open.flow().flowId(), session.sessionId());
        return lead.withFlowSession(session.sessionId());
    }

    private static Optional<UUID> uuid(String text) {
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
