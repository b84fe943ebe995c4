package io.flowgate.routing.chat;

import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.InboundUpdate;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.events.StaleSession;
import io.flowgate.events.Topics;
import io.flowgate.routing.kafka.CommittingConsumer;
import io.flowgate.routing.kafka.KafkaStatus;
import io.flowgate.routing.metahealth.MetaHealthHistory;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Consumes {@code flowgate.inbound} (and {@code flowgate.stale-sessions}) for the chat state machine, and
 * {@code flowgate.meta-health} for Meta's view of the Flows ({@link MetaHealthHistory}), group
 * {@code flowgate.chat.consumer-group}, the way {@link CommittingConsumer} describes: one record at a time,
 * offsets committed after the record's transaction. Since a user's updates share a partition (the key is the
 * user), one user's messages are never applied concurrently by this consumer; a rebalance may hand a record to
 * two instances at once, which the per-message deduplication and the lead's row lock make harmless.
 */
@Component
@DependsOn("leadQualificationExample") // the example is installed before the first message is read
class ChatConsumer extends CommittingConsumer {

    private final InboundProcessor inbound;
    private final ReEngagement reEngagement;
    private final MetaHealthHistory metaHealth;

    ChatConsumer(KafkaStatus kafka, InboundProcessor inbound, ReEngagement reEngagement, MetaHealthHistory metaHealth,
                 ChatProperties properties, MeterRegistry meters) {
        super(kafka, "chat", properties.consumerGroup(),
                List.of(Topics.INBOUND, Topics.STALE_SESSIONS, Topics.META_HEALTH), meters);
        this.inbound = inbound;
        this.reEngagement = reEngagement;
        this.metaHealth = metaHealth;
    }

    @Override
    protected boolean apply(FlowgateEvent event) {
        if (event instanceof InboundUpdate update) {
            inbound.process(update);
            return true;
        }
        if (event instanceof StaleSession stale) {
            reEngagement.staleSession(stale);
            return true;
        }
        if (event instanceof MetaFlowSignal signal) {
            metaHealth.record(signal);
            return true;
        }
        return false;
    }

    @Override
    protected void gaveUp(FlowgateEvent event) {
        if (event instanceof InboundUpdate update) {
            inbound.recordFailure(update);
        }
    }
}
