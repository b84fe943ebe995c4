package io.flowgate.events;

import java.time.Instant;

/**
 * A treatment of a routing experiment breached a guardrail and is stopped (Kafka {@link Topics#ALERTS},
 * keyed by experiment). The analytics job writes it once per variant, together with the
 * {@code experiment_guardrail_stops} row that makes routing-api stop assigning the variant
 * (docs/experiments.md).
 *
 * @param experimentId    the experiment
 * @param variant         the treatment stopped
 * @param guardrail       {@code p90_latency}, {@code error_rate} or {@code drop_rate:<SCREEN>}
 * @param observed        the treatment's value: milliseconds for p90_latency, a fraction otherwise
 * @param threshold       the limit it crossed; for a drop rate, 0: the lower bound of the difference to the
 *                        control's drop rate (the confidence sequence's) is above it
 * @param controlObserved the control's value of the same metric, when known
 * @param sampleSize      what the value was measured on: the variant's requests, or its sessions that reached the screen
 */
public record ExperimentGuardrailBreached(
        String eventId,
        Instant eventTime,
        String experimentId,
        String variant,
        String guardrail,
        double observed,
        double threshold,
        Double controlObserved,
        long sampleSize) implements FlowgateEvent {

    public static final String TYPE = "experiment_guardrail_breached";

    public ExperimentGuardrailBreached {
        Experiments.checkPair(experimentId, variant);
    }

    /** The event id of a variant's stop: one per variant, so a replay yields the same id. */
    public static String idOf(String experimentId, String variant) {
        return "guardrail:" + experimentId + ":" + variant;
    }

    @Override
    public String key() {
        return experimentId;
    }
}
