package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ExperimentDefinition;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.ExperimentResultRow;
import io.flowgate.analytics.records.ExperimentScreenRow;
import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.analytics.stats.SequentialTest;
import io.flowgate.events.ExperimentGuardrailBreached;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The running account of one experiment: per variant, the sessions started and finished, what the finished
 * ones reached, where they dropped, and the state of the sequential tests. Pure (no Flink): the
 * {@link ExperimentMonitor} keeps one per experiment in keyed state and calls {@link #add} and
 * {@link #evaluate} at each event-time minute; the A/A test calls the same methods in-process for hundreds
 * of seeded runs. A Flink POJO (public fields, no-arg constructor).
 *
 * <p>Each {@link #evaluate} is one look of the sequential tests (docs/experiments.md): the primary metric of
 * each treatment against the control, and the guardrails of each treatment not yet stopped (p90 latency
 * and error rate against limits, drop rate at each screen against the control's by the same sequential
 * test). A breach stops the variant for good and is returned once.
 */
public final class ExperimentBook {

    public static final String CONTROL = "control";
    public static final String COLLECTING = "collecting";
    public static final String WINNER = "winner";
    public static final String LOSER = "loser";
    public static final String NO_DIFFERENCE = "no_difference";
    public static final String STOPPED = "stopped_guardrail";
    public static final String P90_LATENCY = "p90_latency";
    public static final String ERROR_RATE = "error_rate";
    public static final String DROP_RATE_PREFIX = "drop_rate:";

    /** "No difference": the whole confidence sequence of the difference lies within ± this (2 points). */
    public static final double NO_DIFFERENCE_MARGIN = 0.02;
    /** The latency and error-rate guardrails judge a variant from this many endpoint requests on. */
    public static final long MIN_REQUESTS = 50;
    /** The sequential test's error rate when the experiment is unknown to the job. */
    static final double DEFAULT_ALPHA = 0.05;

    /** One variant's account. */
    public static final class Tally {
        public long started;
        public long finished;
        public long completed;
        /** Finished sessions that reached each screen, that dropped there, that reached it and completed. */
        public Map<String, Long> reached = new HashMap<>();
        public Map<String, Long> dropped = new HashMap<>();
        public Map<String, Long> completedFrom = new HashMap<>();
        /** The primary metric's test against the control (treatments only). */
        public SequentialTest primary = SequentialTest.start();
        /** The drop-rate test against the control, per screen (treatments only). */
        public Map<String, SequentialTest> drops = new HashMap<>();
        public String stoppedBy;

        public Tally() {
        }

        long conversions(String metricScreen) {
            return metricScreen == null ? completed : reached.getOrDefault(metricScreen, 0L);
        }
    }

    /** What one look found: rows to write and guardrail breaches (new ones only). */
    public record Evaluation(List<ExperimentResultRow> results, List<ExperimentScreenRow> screens,
                             List<ExperimentGuardrailBreached> breaches) {
    }

    public Map<String, Tally> variants = new HashMap<>();

    public ExperimentBook() {
    }

    /** Counts a session start or end (requests are counted by the caller, in {@link LatencyStats}). */
    public void add(ExperimentInput input) {
        Tally t = variants.computeIfAbsent(input.variant(), v -> new Tally());
        if (ExperimentInput.STARTED.equals(input.kind())) {
            t.started++;
        } else if (ExperimentInput.FINISHED.equals(input.kind())) {
            t.finished++;
            if (input.completed()) {
                t.completed++;
            }
            for (String screen : input.reached()) {
                t.reached.merge(screen, 1L, Long::sum);
                if (input.completed()) {
                    t.completedFrom.merge(screen, 1L, Long::sum);
                }
            }
            if (input.droppedAt() != null) {
                t.dropped.merge(input.droppedAt(), 1L, Long::sum);
            }
        }
    }

    /**
     * One look at the experiment at event time {@code at}: updates the sequential tests, stops treatments
     * that breach a guardrail, and returns every variant's rows and the new breaches.
     *
     * @param definition the experiment as defined, or null when the job does not know it (then only counts
     *                   are written; the control is the variant named {@code control})
     * @param latency    the endpoint requests of each variant since the start
     */
    public Evaluation evaluate(String experimentId, ExperimentDefinition definition, Map<String, LatencyStats> latency,
                               long at) {
        String metric = definition == null ? ExperimentDefinition.COMPLETION : definition.primaryMetric();
        String metricScreen = definition == null ? null : definition.metricScreen();
        double alpha = definition == null ? DEFAULT_ALPHA : definition.alpha();
        String controlName = definition == null ? CONTROL : definition.control();
        Tally control = variants.get(controlName);
        LatencyStats none = new LatencyStats();

        List<ExperimentResultRow> results = new ArrayList<>();
        List<ExperimentScreenRow> screens = new ArrayList<>();
        List<ExperimentGuardrailBreached> breaches = new ArrayList<>();
        for (Map.Entry<String, Tally> e : new TreeMap<>(variants).entrySet()) {
            String variant = e.getKey();
            Tally t = e.getValue();
            LatencyStats calls = latency.getOrDefault(variant, none);
            boolean isControl = variant.equals(controlName);
            String decision = isControl ? CONTROL : COLLECTING;
            if (!isControl && control != null && definition != null) {
                if (t.stoppedBy == null) {
                    ExperimentGuardrailBreached breach = guardrails(experimentId, definition, variant, t, control,
                            calls, latency.getOrDefault(controlName, none), at);
                    if (breach != null) {
                        t.stoppedBy = breach.guardrail();
                        breaches.add(breach);
                    }
                }
                t.primary = t.primary.update(control.conversions(metricScreen), control.finished,
                        t.conversions(metricScreen), t.finished, alpha, SequentialTest.DEFAULT_TAU);
                decision = decide(t, alpha);
            }
            long conversions = t.conversions(metricScreen);
            boolean tested = !isControl && t.primary.n() > 0;
            Double difference = null;
            if (!isControl && control != null && t.finished > 0 && control.finished > 0) {
                difference = rate(conversions, t.finished) - rate(control.conversions(metricScreen), control.finished);
            }
            results.add(new ExperimentResultRow(experimentId, variant, isControl, t.started, t.finished, t.completed,
                    conversions, rate(conversions, t.finished), metric, difference,
                    tested ? t.primary.low() : null, tested ? t.primary.high() : null,
                    tested ? t.primary.pValue() : null, decision, t.stoppedBy,
                    calls.requests(), calls.errors(), calls.errorRate(), calls.percentileMillis(90), at));
            for (String screen : new TreeSet<>(t.reached.keySet())) {
                screens.add(new ExperimentScreenRow(experimentId, variant, screen, t.reached.get(screen),
                        t.dropped.getOrDefault(screen, 0L), t.completedFrom.getOrDefault(screen, 0L), at));
            }
        }
        return new Evaluation(results, screens, breaches);
    }

    private static String decide(Tally t, double alpha) {
        if (t.stoppedBy != null) {
            return STOPPED;
        }
        if (t.primary.above(alpha)) {
            return WINNER;
        }
        if (t.primary.below(alpha)) {
            return LOSER;
        }
        return t.primary.within(NO_DIFFERENCE_MARGIN) ? NO_DIFFERENCE : COLLECTING;
    }

    /** The first guardrail the treatment breaches at this look, or null; updates its drop-rate tests. */
    private static ExperimentGuardrailBreached guardrails(String experimentId, ExperimentDefinition d, String variant,
                                                          Tally t, Tally control, LatencyStats calls,
                                                          LatencyStats controlCalls, long at) {
        ExperimentGuardrailBreached breach = null;
        if (calls.requests() >= MIN_REQUESTS) {
            double p90 = calls.percentileMillis(90);
            if (p90 > d.maxP90Ms()) {
                breach = breach(experimentId, variant, P90_LATENCY, p90, d.maxP90Ms(),
                        controlCalls.requests() > 0 ? controlCalls.percentileMillis(90) : null, calls.requests(), at);
            } else if (calls.errorRate() > d.maxErrorRate()) {
                breach = breach(experimentId, variant, ERROR_RATE, calls.errorRate(), d.maxErrorRate(),
                        controlCalls.requests() > 0 ? controlCalls.errorRate() : null, calls.requests(), at);
            }
        }
        // every screen's test takes this look, whatever else breached, so each stays a proper sequence
        for (String screen : new TreeSet<>(t.reached.keySet())) {
            long reachedC = control.reached.getOrDefault(screen, 0L);
            long reachedT = t.reached.get(screen);
            long droppedC = control.dropped.getOrDefault(screen, 0L);
            long droppedT = t.dropped.getOrDefault(screen, 0L);
            SequentialTest test = t.drops.getOrDefault(screen, SequentialTest.start())
                    .update(droppedC, reachedC, droppedT, reachedT, d.alpha(), SequentialTest.DEFAULT_TAU);
            t.drops.put(screen, test);
            if (breach == null && test.above(d.alpha())) {
                breach = breach(experimentId, variant, DROP_RATE_PREFIX + screen, rate(droppedT, reachedT), 0.0,
                        rate(droppedC, reachedC), reachedT, at);
            }
        }
        return breach;
    }

    private static ExperimentGuardrailBreached breach(String experimentId, String variant, String guardrail,
                                                      double observed, double threshold, Double controlObserved,
                                                      long sampleSize, long at) {
        return new ExperimentGuardrailBreached(ExperimentGuardrailBreached.idOf(experimentId, variant),
                Instant.ofEpochMilli(at), experimentId, variant, guardrail, observed, threshold, controlObserved,
                sampleSize);
    }

    private static double rate(long x, long n) {
        return n == 0 ? 0.0 : (double) x / n;
    }
}
