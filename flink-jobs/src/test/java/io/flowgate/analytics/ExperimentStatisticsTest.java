package io.flowgate.analytics;

import io.flowgate.analytics.functions.ExperimentBook;
import io.flowgate.analytics.records.ExperimentDefinition;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.ExperimentResultRow;
import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.events.ExperimentGuardrailBreached;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statistics over many seeded experiments, in-process: each run feeds a seeded {@link ExperimentScenario}'s
 * session starts, ends and requests minute by minute through the {@link ExperimentBook} the job's
 * {@code ExperimentMonitor} keeps, looking after every minute as the job does. (Running hundreds of seeds
 * through a Flink MiniCluster would take many minutes; {@code ExperimentAnalyticsTest} runs one scenario
 * through the whole job, streaming and batch.)
 */
class ExperimentStatisticsTest {

    private static final Logger log = LoggerFactory.getLogger(ExperimentStatisticsTest.class);
    private static final double ALPHA = 0.05;
    private static final int AA_RUNS = 200;
    /** The completion rates of {@link ExperimentScenario#UPLIFT} and {@code BASELINE}: 0.8 · 0.7 · (0.72 − 0.55). */
    private static final double TRUE_UPLIFT = 0.8 * 0.7 * (0.72 - 0.55);
    private static final int SESSIONS = 3000;
    private static final Duration SPREAD = Duration.ofHours(4);
    static final ExperimentDefinition DEFINITION = new ExperimentDefinition(ExperimentScenario.EXPERIMENT,
            ExperimentScenario.FLOW, "running", "completion", ALPHA, 1000.0, 0.05, "control", List.of("control", "b"));

    record Outcome(Map<String, ExperimentResultRow> last, List<ExperimentGuardrailBreached> breaches,
                   boolean everWinner, boolean everLoser) {
    }

    /** Looks at the experiment after every minute that brought something, as ExperimentMonitor does. */
    static Outcome run(ExperimentScenario scenario, ExperimentDefinition definition) {
        ExperimentBook book = new ExperimentBook();
        Map<String, LatencyStats> latency = new HashMap<>();
        Map<String, ExperimentResultRow> last = new HashMap<>();
        List<ExperimentGuardrailBreached> breaches = new ArrayList<>();
        boolean everWinner = false;
        boolean everLoser = false;
        List<ExperimentScenario.Timed> inputs = scenario.inputs;
        int i = 0;
        while (i < inputs.size()) {
            long minuteEnd = Math.floorDiv(inputs.get(i).time(), 60_000L) * 60_000L + 60_000L;
            for (; i < inputs.size() && inputs.get(i).time() < minuteEnd; i++) {
                ExperimentInput input = inputs.get(i).input();
                if (ExperimentInput.REQUEST.equals(input.kind())) {
                    latency.computeIfAbsent(input.variant(), v -> new LatencyStats()).add(input.latencyMicros(), input.error());
                    book.variants.computeIfAbsent(input.variant(), v -> new ExperimentBook.Tally());
                } else {
                    book.add(input);
                }
            }
            ExperimentBook.Evaluation look = book.evaluate(ExperimentScenario.EXPERIMENT, definition, latency, minuteEnd);
            look.results().forEach(r -> last.put(r.variant(), r));
            breaches.addAll(look.breaches());
            for (ExperimentResultRow r : look.results()) {
                everWinner |= ExperimentBook.WINNER.equals(r.decision());
                everLoser |= ExperimentBook.LOSER.equals(r.decision());
            }
        }
        return new Outcome(last, breaches, everWinner, everLoser);
    }

    @Test
    void anAaExperimentLookedAtEveryMinuteDeclaresAWinnerNoMoreOftenThanAlpha() {
        int decided = 0;
        int stopped = 0;
        int misses = 0;
        long finished = 0;
        for (int seed = 1; seed <= AA_RUNS; seed++) {
            ExperimentScenario aa = ExperimentScenario.generate(seed, SESSIONS, SPREAD, List.of(
                    new ExperimentScenario.Variant("control", ExperimentScenario.BASELINE, false),
                    new ExperimentScenario.Variant("b", ExperimentScenario.BASELINE, false)));
            Outcome outcome = run(aa, DEFINITION);
            // a winner or a loser is a false positive here: the two variants are the same
            if (outcome.everWinner() || outcome.everLoser()) {
                decided++;
            }
            if (!outcome.breaches().isEmpty()) {
                stopped++;
            }
            ExperimentResultRow b = outcome.last().get("b");
            finished += b.finished();
            assertThat(b.pValue()).as("the test took looks").isNotNull();
            if (b.ciLow() > 0 || b.ciHigh() < 0) {
                misses++; // the confidence sequence lost the true difference, 0, at some look
            }
        }
        int bound = binomialQuantile(AA_RUNS, ALPHA, 0.999);
        log.info("A/A: {} runs of {} sessions (~{} finished per arm), looked at every minute: {} declared a "
                        + "winner or loser (alpha {} -> expected at most {}, 99.9 % binomial bound {}); {} stopped by a "
                        + "drop-rate guardrail; the interval lost 0 in {}", AA_RUNS, SESSIONS, finished / AA_RUNS, decided, ALPHA,
                (int) (AA_RUNS * ALPHA), bound, stopped, misses);
        assertThat(decided).as("false decisions in %d A/A runs", AA_RUNS).isLessThanOrEqualTo(bound);
        assertThat(misses).as("intervals without the true difference").isLessThanOrEqualTo(bound);
    }

    @Test
    void anUpliftInCompletionIsDetectedInTheRightDirection() {
        int winners = 0;
        int misses = 0;
        int runs = 20;
        for (int seed = 1001; seed <= 1000 + runs; seed++) {
            ExperimentScenario uplift = ExperimentScenario.generate(seed, SESSIONS, SPREAD, List.of(
                    new ExperimentScenario.Variant("control", ExperimentScenario.BASELINE, false),
                    new ExperimentScenario.Variant("b", ExperimentScenario.UPLIFT, false)));
            Outcome outcome = run(uplift, DEFINITION);
            ExperimentResultRow b = outcome.last().get("b");
            assertThat(outcome.everLoser()).as("seed %d: never the wrong direction", seed).isFalse();
            if (TRUE_UPLIFT < b.ciLow() || TRUE_UPLIFT > b.ciHigh()) {
                misses++;
            }
            if (ExperimentBook.WINNER.equals(b.decision())) {
                winners++;
                assertThat(b.ciLow()).isPositive();
            }
        }
        log.info("uplift 30.8 % -> 40.3 % completion, {} sessions: winner in {} of {} runs; the interval missed the "
                + "true difference in {}", SESSIONS, winners, runs, misses);
        assertThat(winners).isGreaterThanOrEqualTo(runs - 2);
        assertThat(misses).isLessThanOrEqualTo(binomialQuantile(runs, ALPHA, 0.999));
    }

    @Test
    void aSlowTreatmentIsStoppedByTheLatencyGuardrailOnceAndSaysWhy() {
        ExperimentScenario slow = ExperimentScenario.generate(5, 600, Duration.ofHours(1), List.of(
                new ExperimentScenario.Variant("control", ExperimentScenario.BASELINE, false),
                new ExperimentScenario.Variant("b", ExperimentScenario.BASELINE, true)));
        Outcome outcome = run(slow, DEFINITION);
        assertThat(outcome.breaches()).singleElement().satisfies(b -> {
            assertThat(b.variant()).isEqualTo("b");
            assertThat(b.guardrail()).isEqualTo(ExperimentBook.P90_LATENCY);
            assertThat(b.observed()).isGreaterThan(1000.0);
            assertThat(b.threshold()).isEqualTo(1000.0);
            assertThat(b.sampleSize()).isGreaterThanOrEqualTo(ExperimentBook.MIN_REQUESTS);
        });
        assertThat(outcome.last().get("b").decision()).isEqualTo(ExperimentBook.STOPPED);
        assertThat(outcome.last().get("b").stoppedBy()).isEqualTo(ExperimentBook.P90_LATENCY);
        assertThat(outcome.last().get("control").decision()).isEqualTo(ExperimentBook.CONTROL);
    }

    /** The smallest k with P(X <= k) >= q for X ~ Binomial(n, p). */
    static int binomialQuantile(int n, double p, double q) {
        double cumulative = 0;
        double logChoose = 0;
        for (int k = 0; k <= n; k++) {
            if (k > 0) {
                logChoose += Math.log(n - k + 1) - Math.log(k);
            }
            cumulative += Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log(1 - p));
            if (cumulative >= q) {
                return k;
            }
        }
        return n;
    }
}
