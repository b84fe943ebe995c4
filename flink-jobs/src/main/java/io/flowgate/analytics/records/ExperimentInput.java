package io.flowgate.analytics.records;

import java.util.List;

/**
 * What the experiment monitor counts, one per session start, session end or endpoint request of a session
 * in an experiment. A single type so that the session tracker's output and the endpoint requests reach the
 * monitor as one keyed stream (by experiment).
 *
 * @param kind          {@link #STARTED}, {@link #FINISHED} or {@link #REQUEST}
 * @param completed     FINISHED: the session completed (else it dropped)
 * @param reached       FINISHED: the funnel screens the session reached
 * @param droppedAt     FINISHED and dropped: its last screen, or null
 * @param latencyMicros REQUEST: the endpoint's latency
 * @param error         REQUEST: the endpoint answered anything but 200
 */
public record ExperimentInput(
        String experimentId,
        String variant,
        String kind,
        boolean completed,
        List<String> reached,
        String droppedAt,
        long latencyMicros,
        boolean error) {

    public static final String STARTED = "started";
    public static final String FINISHED = "finished";
    public static final String REQUEST = "request";

    public static ExperimentInput started(String experimentId, String variant) {
        return new ExperimentInput(experimentId, variant, STARTED, false, List.of(), null, 0, false);
    }

    public static ExperimentInput finished(String experimentId, String variant, boolean completed, List<String> reached,
                                           String droppedAt) {
        return new ExperimentInput(experimentId, variant, FINISHED, completed, List.copyOf(reached),
                completed ? null : droppedAt, 0, false);
    }

    public static ExperimentInput request(EndpointCall call) {
        return new ExperimentInput(call.experimentId(), call.variant(), REQUEST, false, List.of(), null,
                call.latencyMicros(), call.error());
    }
}
