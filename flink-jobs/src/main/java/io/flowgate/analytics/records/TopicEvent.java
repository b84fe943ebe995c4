package io.flowgate.analytics.records;

/**
 * One record of {@code flowgate.transitions} as the job reads it: exactly one of {@code step} and
 * {@code call} is set. A single POJO type lets one Kafka source feed both the session analytics and the
 * endpoint analytics without falling back to Kryo for the sealed event interface.
 */
public record TopicEvent(SessionStep step, EndpointCall call) {

    public static TopicEvent of(SessionStep step) {
        return new TopicEvent(step, null);
    }

    public static TopicEvent of(EndpointCall call) {
        return new TopicEvent(null, call);
    }

    /** Event time in epoch milliseconds, whichever kind this is. */
    public long eventTime() {
        return step != null ? step.eventTime() : call.eventTime();
    }
}
