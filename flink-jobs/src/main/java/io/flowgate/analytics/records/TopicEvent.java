package io.flowgate.analytics.records;

/**
 * One record of {@code flowgate.transitions} as the job reads it: exactly one of {@code step}, {@code call}
 * and {@code heartbeat} is set. A single POJO type lets one Kafka source feed both the session analytics and
 * the endpoint analytics without falling back to Kryo for the sealed event interface.
 *
 * @param heartbeat the event time of a heartbeat record (epoch ms): it only moves the source's watermark
 *                  for its partition, and is dropped right after the source
 */
public record TopicEvent(SessionStep step, EndpointCall call, Long heartbeat) {

    public static TopicEvent of(SessionStep step) {
        return new TopicEvent(step, null, null);
    }

    public static TopicEvent of(EndpointCall call) {
        return new TopicEvent(null, call, null);
    }

    public static TopicEvent heartbeat(long eventTime) {
        return new TopicEvent(null, null, eventTime);
    }

    /** Event time in epoch milliseconds, whichever kind this is. */
    public long eventTime() {
        return step != null ? step.eventTime() : call != null ? call.eventTime() : heartbeat;
    }
}
