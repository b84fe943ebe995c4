package io.flowgate.analytics;

import io.flowgate.analytics.functions.SessionTracker;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.FlowgateEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * A seeded routing experiment on a three-screen lead Flow (WELCOME, DETAILS, QUOTE, then SUCCESS): users are
 * split evenly between the variants, each variant has its own chance of going on from each screen and its
 * own endpoint latency. It yields the events routing-api would publish (tagged with the experiment and
 * variant, with at-least-once duplicates and reordering within a second) and, for the in-process runs,
 * what the job's session tracker makes of them: each session's start and end and each request, timed.
 */
final class ExperimentScenario {

    static final String EXPERIMENT = "quote-copy";
    static final String FLOW = "lead_form";
    static final List<String> SCREENS = List.of("WELCOME", "DETAILS", "QUOTE");
    static final Duration STALE_AFTER = Duration.ofMinutes(30);

    /**
     * One variant: the chance to go on from each screen (the last one: to complete), and whether its
     * endpoint is slow (1.5-2.5 s instead of 5-300 ms).
     */
    record Variant(String name, double[] goOn, boolean slow) {
    }

    static final double[] BASELINE = {0.8, 0.7, 0.55};
    static final double[] UPLIFT = {0.8, 0.7, 0.72};

    /** An input of the experiment monitor at its event time. */
    record Timed(long time, ExperimentInput input) {
    }

    final List<FlowgateEvent> events = new ArrayList<>();
    final List<Scenario.Published> published = new ArrayList<>();
    final List<Timed> inputs = new ArrayList<>();
    final Instant to;
    private final Random random;
    private int requestSeq;

    private ExperimentScenario(long seed, int sessions, Duration spread, List<Variant> variants) {
        random = new Random(seed);
        for (int i = 0; i < sessions; i++) {
            Variant variant = variants.get(random.nextInt(variants.size()));
            session("s" + seed + "-" + i, "u" + seed + "-" + i, variant,
                    Scenario.T0.plusMillis((long) (random.nextDouble() * spread.toMillis())));
        }
        events.sort(Comparator.comparing(FlowgateEvent::eventTime).thenComparing(FlowgateEvent::eventId));
        for (FlowgateEvent e : events) {
            publish(e);
            if (random.nextDouble() < 0.05) {
                publish(e); // at-least-once: the same event again
            }
        }
        published.sort(Comparator.comparingLong(Scenario.Published::publishedAt));
        inputs.sort(Comparator.comparingLong(Timed::time));
        long end = events.get(events.size() - 1).eventTime()
                .plus(STALE_AFTER.multipliedBy(SessionTracker.EXPERIMENT_WINDOW_STALE_AFTERS)).plus(Duration.ofMinutes(10)).toEpochMilli();
        to = Instant.ofEpochMilli((end / 60_000 + 1) * 60_000);
    }

    static ExperimentScenario generate(long seed, int sessions, Duration spread, List<Variant> variants) {
        return new ExperimentScenario(seed, sessions, spread, variants);
    }

    /**
     * The events with the transitions and endpoint requests of some sessions tagged with an experiment, as
     * routing-api tags them: {@code variantOf} gives a session's variant, or null for a session outside it.
     */
    static List<FlowgateEvent> tagged(List<FlowgateEvent> events, String experimentId, Function<String, String> variantOf) {
        List<FlowgateEvent> tagged = new ArrayList<>(events.size());
        for (FlowgateEvent e : events) {
            String variant = e instanceof FlowTransition t ? variantOf.apply(t.sessionId())
                    : e instanceof EndpointRequest r && r.sessionId() != null ? variantOf.apply(r.sessionId()) : null;
            if (variant == null) {
                tagged.add(e);
            } else if (e instanceof FlowTransition t) {
                tagged.add(t.withExperiment(experimentId, variant));
            } else {
                tagged.add(((EndpointRequest) e).withExperiment(experimentId, variant));
            }
        }
        return tagged;
    }

    private void publish(FlowgateEvent e) {
        published.add(new Scenario.Published(e, e.eventTime().toEpochMilli() + random.nextInt(800)));
    }

    private void session(String session, String user, Variant variant, Instant start) {
        inputs.add(new Timed(start.toEpochMilli(), ExperimentInput.started(EXPERIMENT, variant.name())));
        List<String> reached = new ArrayList<>();
        Instant t = start;
        String from = "";
        int seq = 0;
        for (int j = 0; j <= SCREENS.size(); j++) {
            boolean completes = j == SCREENS.size();
            String to = completes ? "SUCCESS" : SCREENS.get(j);
            events.add(new FlowTransition("x-" + session + "-" + seq, t, FLOW, session, user, start, from, to,
                    j == 0 ? "INIT" : "data_exchange", Map.of(), completes, false, FlowTransition.SOURCE_FLOW)
                    .withExperiment(EXPERIMENT, variant.name()));
            request(session, variant, t, from, j == 0 ? "INIT" : "data_exchange");
            seq++;
            if (completes) {
                inputs.add(new Timed(measuredAt(start), ExperimentInput.finished(EXPERIMENT, variant.name(), true, reached, null)));
                return;
            }
            reached.add(to);
            if (random.nextDouble() >= variant.goOn()[j]) {
                inputs.add(new Timed(measuredAt(start), ExperimentInput.finished(EXPERIMENT, variant.name(), false, reached, to)));
                return;
            }
            from = to;
            t = t.plusSeconds(5 + random.nextInt(35));
        }
    }

    /** The session tracker reads a session's outcome at its start + 2 stale-afters (sessions here last minutes). */
    private static long measuredAt(Instant start) {
        return start.plus(STALE_AFTER.multipliedBy(SessionTracker.EXPERIMENT_WINDOW_STALE_AFTERS)).toEpochMilli();
    }

    private void request(String session, Variant variant, Instant at, String screen, String action) {
        long latencyMicros = variant.slow()
                ? 1_500_000 + random.nextInt(1_000_000)
                : (long) (5_000 * Math.exp(random.nextDouble() * Math.log(60)));
        boolean error = random.nextDouble() < 0.01;
        EndpointRequest request = new EndpointRequest("xr-" + session + "-" + (requestSeq++), at, FLOW, session, screen,
                action, error ? 500 : 200, error ? EndpointRequest.OUTCOME_INTERNAL_ERROR : EndpointRequest.OUTCOME_OK,
                latencyMicros).withExperiment(EXPERIMENT, variant.name());
        events.add(request);
        inputs.add(new Timed(at.toEpochMilli(), new ExperimentInput(EXPERIMENT, variant.name(), ExperimentInput.REQUEST,
                false, List.of(), null, latencyMicros, error)));
    }
}
