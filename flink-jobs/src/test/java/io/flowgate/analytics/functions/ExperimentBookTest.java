package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ExperimentDefinition;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.events.ExperimentGuardrailBreached;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ExperimentBookTest {

    private static final ExperimentDefinition DEFINITION = new ExperimentDefinition("exp", "lead_form", "running",
            "screen:QUOTE", 0.05, 1000.0, 0.05, "control", List.of("control", "b"));

    @Test
    void aTreatmentWithErrorsAboveTheLimitIsStoppedOnceWithTheControlsRateForComparison() {
        ExperimentBook book = new ExperimentBook();
        Map<String, LatencyStats> latency = Map.of("control", requests(200, 2), "b", requests(200, 30));
        book.add(ExperimentInput.started("exp", "control"));
        book.add(ExperimentInput.started("exp", "b"));

        ExperimentBook.Evaluation first = book.evaluate("exp", DEFINITION, latency, 60_000);
        ExperimentBook.Evaluation second = book.evaluate("exp", DEFINITION, latency, 120_000);

        assertThat(first.breaches()).singleElement().satisfies(b -> {
            assertThat(b.eventId()).isEqualTo(ExperimentGuardrailBreached.idOf("exp", "b"));
            assertThat(b.guardrail()).isEqualTo(ExperimentBook.ERROR_RATE);
            assertThat(b.observed()).isEqualTo(0.15);
            assertThat(b.threshold()).isEqualTo(0.05);
            assertThat(b.controlObserved()).isEqualTo(0.01);
            assertThat(b.sampleSize()).isEqualTo(200);
        });
        assertThat(second.breaches()).as("stopped once").isEmpty();
        assertThat(second.results()).filteredOn(r -> r.variant().equals("b")).singleElement()
                .satisfies(r -> assertThat(r.decision()).isEqualTo(ExperimentBook.STOPPED));
    }

    @Test
    void aTreatmentThatDropsSignificantlyMoreAtAScreenIsStoppedAndAScreenMetricCountsReachingIt() {
        ExperimentBook book = new ExperimentBook();
        // control: 300 of 1000 drop at DETAILS; b: 600 of 1000
        finish(book, "control", 1000, 300);
        finish(book, "b", 1000, 600);

        ExperimentBook.Evaluation look = book.evaluate("exp", DEFINITION, Map.of(), 60_000);

        assertThat(look.breaches()).singleElement().satisfies(b -> {
            assertThat(b.guardrail()).isEqualTo("drop_rate:DETAILS");
            assertThat(b.observed()).isEqualTo(0.6);
            assertThat(b.controlObserved()).isEqualTo(0.3);
            assertThat(b.sampleSize()).isEqualTo(1000);
        });
        // the primary metric is reaching QUOTE: 700 of 1000 against 400 of 1000
        assertThat(look.results()).filteredOn(r -> r.variant().equals("b")).singleElement().satisfies(r -> {
            assertThat(r.conversions()).isEqualTo(400);
            assertThat(r.difference()).isCloseTo(-0.3, org.assertj.core.api.Assertions.within(1e-12));
            assertThat(r.ciHigh()).isNegative();
        });
        assertThat(look.screens()).filteredOn(s -> s.variant().equals("b") && s.screen().equals("DETAILS"))
                .singleElement().satisfies(s -> assertThat(s.dropRate()).isEqualTo(0.6));
    }

    private static LatencyStats requests(int n, int errors) {
        LatencyStats stats = new LatencyStats();
        for (int i = 0; i < n; i++) {
            stats.add(20_000, i < errors);
        }
        return stats;
    }

    private static void finish(ExperimentBook book, String variant, int sessions, int droppedAtDetails) {
        for (int i = 0; i < sessions; i++) {
            book.add(ExperimentInput.started("exp", variant));
            boolean drops = i < droppedAtDetails;
            book.add(ExperimentInput.finished("exp", variant, !drops,
                    drops ? List.of("WELCOME", "DETAILS") : List.of("WELCOME", "DETAILS", "QUOTE"), "DETAILS"));
        }
    }
}
