package io.flowgate.events;

import java.time.Instant;

/**
 * "Event time has reached {@code eventTime} on this partition": written by routing-api's outbox relay to
 * every partition of {@link Topics#TRANSITIONS} at a fixed interval, so that the analytics job's event
 * time moves on in quiet periods through data on the topic itself (a batch replay reads the same records),
 * instead of through processing-time idleness. It changes no table; consumers other than the analytics
 * ignore it.
 *
 * <p>{@code eventTime} is never ahead of a transition that is committed but not yet published: the relay
 * writes min(now, event time of the oldest unpublished outbox row). A transaction still in flight when
 * the heartbeat is written is not seen; the analytics' out-of-orderness bound covers it (docs/events.md).
 *
 * @param partition the partition of {@link Topics#TRANSITIONS} this heartbeat was written to
 */
public record Heartbeat(String eventId, Instant eventTime, int partition) implements FlowgateEvent {

    public static final String TYPE = "heartbeat";

    /** The id of the heartbeat for {@code partition} at {@code eventTime}: the same time and partition give the same id. */
    public static Heartbeat of(Instant eventTime, int partition) {
        return new Heartbeat("heartbeat:" + partition + ":" + eventTime.toEpochMilli(), eventTime, partition);
    }

    @Override
    public String key() {
        return "heartbeat:" + partition;
    }
}
