package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.analytics.records.TopicEvent;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;
import io.flowgate.events.Heartbeat;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;

/**
 * Reads {@code flowgate.transitions} records into {@link TopicEvent}s. Records that are not JSON events,
 * events of other types and events missing what analytics need are skipped and counted (metric
 * {@code skippedEvents}) rather than failing the job: one bad producer must not stop the analytics.
 * Events outside the run's event-time range [{@code from}, {@code to}) are dropped here, which is how a
 * batch run over a range of the topic sees exactly that range. Heartbeats (routing-api's outbox relay writes
 * one to every partition at a fixed interval) are read too: they reach the source's per-partition watermark
 * generator, which is how event time moves on while no transition arrives, and are dropped after it.
 */
public final class TopicEventDeserializer implements KafkaRecordDeserializationSchema<TopicEvent> {

    private static final Logger log = LoggerFactory.getLogger(TopicEventDeserializer.class);

    private final long fromMillis;
    private final long toMillis;
    private transient Counter skipped;

    /**
     * @param fromMillis first event time included (epoch ms; {@link Long#MIN_VALUE} for no bound)
     * @param toMillis   first event time excluded (epoch ms; {@link Long#MAX_VALUE} for no bound)
     */
    public TopicEventDeserializer(long fromMillis, long toMillis) {
        this.fromMillis = fromMillis;
        this.toMillis = toMillis;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        skipped = context.getMetricGroup().counter("skippedEvents");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TopicEvent> out) {
        TopicEvent event = toTopicEvent(record.value());
        if (event == null) {
            if (skipped != null) {
                skipped.inc();
            }
            return;
        }
        long time = event.eventTime();
        if (time >= fromMillis && time < toMillis) {
            out.collect(event);
        }
    }

    /**
     * The analytics view of one record's value, or null when analytics cannot use it: read by the streaming
     * {@link TopicEventParser}, or by the shared mapper when that parser leaves the record to it.
     */
    static TopicEvent toTopicEvent(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            return TopicEventParser.parse(value);
        } catch (TopicEventParser.Undecided e) {
            return withMapper(value);
        }
    }

    /** {@link #toTopicEvent} through the full event records of {@link EventJson}: the reference behaviour. */
    static TopicEvent withMapper(byte[] value) {
        if (value == null) {
            return null;
        }
        FlowgateEvent event;
        try {
            event = EventJson.fromBytes(value);
        } catch (IllegalArgumentException e) {
            log.debug("skipping a record that is not a Flowgate event: {}", e.getMessage());
            return null;
        }
        if (event instanceof FlowTransition t && usable(t)) {
            return TopicEvent.of(toStep(t));
        }
        // the request is deduplicated by its id: without one it cannot be keyed
        if (event instanceof EndpointRequest r && r.eventTime() != null && r.eventId() != null) {
            return TopicEvent.of(new EndpointCall(r.eventId(), r.eventTime().toEpochMilli(),
                    r.screen() == null ? "" : r.screen(), r.action() == null ? "unknown" : r.action(),
                    r.isError(), r.latencyMicros(), version(r.flowVersion()), r.experimentId(), r.variant()));
        }
        // a heartbeat carries event time to the partition's watermark generator; SplitByKind drops it
        if (event instanceof Heartbeat h && h.eventTime() != null) {
            return TopicEvent.heartbeat(h.eventTime().toEpochMilli());
        }
        return null;
    }

    private static boolean usable(FlowTransition t) {
        return t.eventTime() != null && t.sessionId() != null && t.flowId() != null && t.userId() != null;
    }

    static SessionStep toStep(FlowTransition t) {
        Map<String, String> fields = t.fields();
        Instant started = t.sessionStartedAt() == null ? t.eventTime() : t.sessionStartedAt();
        return new SessionStep(t.eventId(), t.eventTime().toEpochMilli(), t.flowId(), t.sessionId(), t.userId(),
                started.toEpochMilli(), t.toScreen(), t.completed(),
                t.source() == null ? FlowTransition.SOURCE_FLOW : t.source(),
                blankToNull(fields.get("item_id")), blankToNull(fields.get("budget")),
                blankToNull(fields.get("industry")), blankToNull(fields.get("timeline")),
                version(t.flowVersion()), t.action() == null ? "" : t.action(), t.experimentId(), t.variant());
    }

    /** A recorded Flow version, or 0 for none (events from before versions, chat machines). */
    static int version(Integer flowVersion) {
        return flowVersion == null || flowVersion < 0 ? 0 : flowVersion;
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @Override
    public TypeInformation<TopicEvent> getProducedType() {
        return TypeInformation.of(TopicEvent.class);
    }
}
