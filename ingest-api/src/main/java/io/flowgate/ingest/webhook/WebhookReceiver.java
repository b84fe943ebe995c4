package io.flowgate.ingest.webhook;

import io.flowgate.events.InboundUpdate;
import io.flowgate.meta.Masked;
import io.flowgate.events.MetaFlowSignal;
import io.flowgate.meta.MetaSignature;
import io.flowgate.events.Topics;
import io.flowgate.ingest.kafka.InboundPublisher;
import io.flowgate.ingest.kafka.NotAcknowledgedException;
import io.flowgate.ingest.system.IngestProperties;
import io.flowgate.ingest.webhook.WebhookParser.ParsedWebhook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What happens to a webhook body once it is read: signature, parsing, and the durable write, in that
 * order, each failure ending in the outcome that makes Meta do the right thing. A body is either
 * entirely on {@code flowgate.inbound} (its {@code flows} changes on {@code flowgate.meta-health}), or entirely on the dead-letter topic, or answered with a
 * status that makes Meta send it again; it never vanishes.
 */
@Component
class WebhookReceiver {

    private static final Logger log = LoggerFactory.getLogger(WebhookReceiver.class);

    /** An outcome, and how many updates it wrote. */
    record Answer(Outcome outcome, int updates) {
        static Answer of(Outcome outcome) {
            return new Answer(outcome, 0);
        }
    }

    private final MetaSignature signature;
    private final InboundPublisher publisher;
    private final WebhookMetrics metrics;
    private final Duration ackTimeout;
    private final RefusalLog refusals = new RefusalLog(log);
    private final AtomicBoolean missingSecretLogged = new AtomicBoolean();

    WebhookReceiver(IngestProperties properties, InboundPublisher publisher, WebhookMetrics metrics) {
        this.signature = new MetaSignature(properties.appSecret(), properties.previousAppSecret());
        this.publisher = publisher;
        this.metrics = metrics;
        this.ackTimeout = properties.ackTimeout();
        if (!signature.isConfigured()) {
            log.warn("FLOWGATE_APP_SECRET (flowgate.ingest.app-secret) is not set: every POST /webhook will be answered 503 until it is");
        }
    }

    Answer receive(byte[] body, String signatureHeader, Instant receivedAt) {
        if (!signature.isConfigured()) {
            if (missingSecretLogged.compareAndSet(false, true)) {
                log.warn("POST /webhook refused: FLOWGATE_APP_SECRET is not set, so no signature can be verified; "
                        + "answering 503 so that Meta retries once it is set");
            }
            return Answer.of(Outcome.NO_APP_SECRET);
        }
        if (!signature.verify(body, signatureHeader)) {
            refusals.info(Outcome.BAD_SIGNATURE, "POST /webhook refused: {} {} ({} bytes)", MetaSignature.HEADER,
                    signatureHeader == null ? "missing" : "does not match", body.length);
            return Answer.of(Outcome.BAD_SIGNATURE);
        }
        ParsedWebhook parsed;
        try {
            parsed = WebhookParser.parse(body, receivedAt);
        } catch (MalformedWebhookException malformed) {
            return deadLetter(body, malformed, receivedAt);
        }
        metrics.ignoredChanges(parsed.ignoredChanges());
        if (parsed.isEmpty()) {
            log.debug("POST /webhook accepted: nothing to route ({} changes of other fields, {} bytes)", parsed.ignoredChanges(), body.length);
            return Answer.of(Outcome.ACCEPTED);
        }
        long started = System.nanoTime();
        try {
            publisher.publish(parsed.updates(), parsed.signals(), ackTimeout);
        } catch (NotAcknowledgedException e) {
            refusals.info(Outcome.NOT_ACKNOWLEDGED, "POST /webhook answered 503, {} updates and {} Flow signals not acknowledged by Kafka: {}",
                    parsed.updates().size(), parsed.signals().size(), e.getMessage());
            return Answer.of(Outcome.NOT_ACKNOWLEDGED);
        }
        if (log.isDebugEnabled()) {
            log.debug("POST /webhook accepted: {}, {} bytes, Kafka ack in {} ms", summary(parsed), body.length,
                    (System.nanoTime() - started) / 1_000_000);
        }
        for (MetaFlowSignal signal : parsed.signals()) {
            // Meta's alerts are rare and matter to ops: each one is worth a line
            String state = WebhookParser.text(signal.payload(), "alert_state");
            log.info("POST /webhook: Meta's {} for Flow {} ({}) written to {}", signal.event(), signal.metaFlowId(),
                    state != null ? state : WebhookParser.text(signal.payload(), "new_status"), Topics.META_HEALTH);
        }
        return new Answer(Outcome.ACCEPTED, parsed.updates().size() + parsed.signals().size());
    }

    private Answer deadLetter(byte[] body, MalformedWebhookException malformed, Instant receivedAt) {
        try {
            publisher.deadLetter(body, malformed.reason().code(), malformed.detail(), receivedAt, ackTimeout);
        } catch (NotAcknowledgedException e) {
            log.warn("POST /webhook answered 503: a {} body ({} bytes) could not be kept on the dead-letter topic: {}",
                    malformed.reason().code(), body.length, e.getMessage());
            return Answer.of(Outcome.NOT_ACKNOWLEDGED);
        }
        metrics.deadLetter(malformed.reason());
        log.info("POST /webhook answered 400 and kept on the dead-letter topic: {}, {} ({} bytes)",
                malformed.reason().code(), malformed.detail(), body.length);
        return Answer.of(Outcome.MALFORMED);
    }

    /** Counts by kind and the first user, masked; never a message text. */
    private static String summary(ParsedWebhook parsed) {
        if (parsed.updates().isEmpty()) {
            return parsed.signals().size() + " Flow signals";
        }
        int messages = 0;
        int statuses = 0;
        int errors = 0;
        for (InboundUpdate update : parsed.updates()) {
            switch (update.kind()) {
                case InboundUpdate.KIND_MESSAGE -> messages++;
                case InboundUpdate.KIND_STATUS -> statuses++;
                default -> errors++;
            }
        }
        InboundUpdate first = parsed.updates().get(0);
        return parsed.updates().size() + " updates (" + messages + " messages, " + statuses + " statuses, " + errors
                + " errors), first " + first.kind() + " " + first.messageType() + " of user " + Masked.id(first.userId());
    }
}
