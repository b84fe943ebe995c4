package io.flowgate.analytics.stats;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SequentialTestTest {

    private static final double ALPHA = 0.05;
    private static final double TAU = SequentialTest.DEFAULT_TAU;

    @Test
    void aLookMatchesTheMixtureLikelihoodRatioOfThePaper() {
        // equal arms: Λ = sqrt(σ²/(σ²+nτ²)) · exp(n²τ²Δ²/(2σ²(σ²+nτ²))), σ² = pA(1-pA) + pB(1-pB)
        long n = 1000;
        double pA = 0.30;
        double pB = 0.35;
        double sigma2 = pA * (1 - pA) + pB * (1 - pB);
        double t2 = TAU * TAU;
        double lambda = Math.sqrt(sigma2 / (sigma2 + n * t2))
                * Math.exp(n * n * t2 * 0.05 * 0.05 / (2 * sigma2 * (sigma2 + n * t2)));

        SequentialTest.Look look = SequentialTest.look(300, n, 350, n, ALPHA, TAU);

        assertThat(look.difference()).isCloseTo(0.05, within(1e-12));
        assertThat(look.pValue()).isCloseTo(1 / lambda, within(1e-9));
        // the interval's ends are exactly where Λ(θ) = 1/α
        for (double end : new double[] {look.low(), look.high()}) {
            double v = look.variance();
            double d = look.difference() - end;
            double logLambda = 0.5 * Math.log(v / (v + t2)) + t2 * d * d / (2 * v * (v + t2));
            assertThat(logLambda).isCloseTo(Math.log(1 / ALPHA), within(1e-9));
        }
    }

    @Test
    void thePValueOnlyFallsAndTheIntervalOnlyNarrowsLookAfterLook() {
        SequentialTest test = SequentialTest.start();
        double previousP = 1;
        double previousWidth = 2;
        // the treatment converts at 40 %, the control at 30 %: looks at growing samples
        for (int n = 100; n <= 3000; n += 100) {
            test = test.update((long) (0.30 * n), n, (long) (0.40 * n), n, ALPHA, TAU);
            assertThat(test.pValue()).isLessThanOrEqualTo(previousP);
            assertThat(test.high() - test.low()).isLessThanOrEqualTo(previousWidth);
            previousP = test.pValue();
            previousWidth = test.high() - test.low();
        }
        assertThat(test.n()).isEqualTo(30);
        assertThat(test.above(ALPHA)).isTrue();
        assertThat(test.below(ALPHA)).isFalse();
        assertThat(test.low()).isPositive();
        assertThat(test.high()).isGreaterThan(0.10).isLessThan(0.2);
    }

    @Test
    void fewObservationsOrNoVarianceChangeNothing() {
        SequentialTest start = SequentialTest.start();
        assertThat(start.update(10, 50, 40, 50, ALPHA, TAU)).isEqualTo(start);
        assertThat(start.update(0, 500, 0, 500, ALPHA, TAU)).isEqualTo(start);
        assertThat(start.above(ALPHA) || start.below(ALPHA) || start.within(0.02)).isFalse();
    }

    @Test
    void theIntervalIsWiderThanTheFixedHorizonOne() {
        // the price of looking at any time: wider than the 95 % Wald interval at the same sample
        SequentialTest.Look look = SequentialTest.look(3000, 10_000, 3100, 10_000, ALPHA, TAU);
        double wald = 1.96 * Math.sqrt(look.variance());
        assertThat((look.high() - look.low()) / 2).isGreaterThan(wald);
        assertThat(look.low()).isLessThan(0.01).isGreaterThan(0.01 - 4 * wald);
    }

    @Test
    void noDifferenceOnceTheWholeIntervalIsWithinTheMargin() {
        SequentialTest test = SequentialTest.start().update(15_000, 50_000, 15_050, 50_000, ALPHA, TAU);
        assertThat(test.within(0.02)).isTrue();
        assertThat(test.above(ALPHA) || test.below(ALPHA)).isFalse();
    }
}
