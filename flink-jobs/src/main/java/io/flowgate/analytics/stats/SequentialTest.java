package io.flowgate.analytics.stats;

/**
 * The mixture sequential probability ratio test (mSPRT) for the difference of two proportions, as in
 * Optimizely's Stats Engine (Johari, Koomen, Pekelis, Walsh, "Peeking at A/B tests", KDD 2017; Johari,
 * Pekelis, Walsh, "Always valid inference", 2015): the difference of the two observed rates is treated as
 * approximately normal with variance {@code V = p̂ₐ(1−p̂ₐ)/nₐ + p̂ᵦ(1−p̂ᵦ)/nᵦ}, and the likelihood ratio
 * against {@code H₀: θ = θ₀} is mixed over a normal prior {@code θ ~ N(θ₀, τ²)}:
 *
 * <pre>
 *   Λ(θ₀) = sqrt(V / (V + τ²)) · exp( τ² (Δ̂ − θ₀)² / (2 V (V + τ²)) )
 * </pre>
 *
 * With equal arms of n users and per-pair variance σ² (V = σ²/n) this is the paper's
 * {@code sqrt(σ²/(σ²+nτ²)) · exp(n²τ²Δ̂²/(2σ²(σ²+nτ²)))}. Under H₀, Λ is a (approximate) martingale, so by
 * Ville's inequality {@code P(sup Λ ≥ 1/α) ≤ α}: however often one looks,
 * <ul>
 *   <li>the always-valid p-value {@code pₙ = min(pₙ₋₁, 1/Λₙ(0))} is below α with probability at most α, and</li>
 *   <li>the confidence sequence {@code {θ : Λₙ(θ) < 1/α}}, which is
 *       {@code Δ̂ ± sqrt( V(V+τ²)/τ² · (2 ln(1/α) + ln((V+τ²)/V)) )}, intersected with the earlier ones,
 *       contains the true difference at every look with probability at least 1 − α.</li>
 * </ul>
 * Pure and immutable: {@link #update} returns the state after one more look.
 *
 * @param n           looks taken so far
 * @param pValue      the always-valid p-value so far (1 before the first valid look)
 * @param low         the lower end of the confidence sequence so far (−1 before the first valid look)
 * @param high        the upper end of the confidence sequence so far (+1 before the first valid look)
 */
public record SequentialTest(long n, double pValue, double low, double high) {

    /** The mixing distribution's standard deviation: effects of a few points of conversion are plausible. */
    public static final double DEFAULT_TAU = 0.05;
    /** Below this many observations per arm the normal approximation is not trusted: the look is skipped. */
    public static final long MIN_PER_ARM = 100;

    public static SequentialTest start() {
        return new SequentialTest(0, 1.0, -1.0, 1.0);
    }

    /**
     * The state after a look at {@code xB} successes in {@code nB} trials (treatment) against {@code xA} in
     * {@code nA} (control), with the counts since the start (cumulative). Looks with fewer than
     * {@link #MIN_PER_ARM} per arm, or no variance yet (every trial the same in both arms), change nothing.
     */
    public SequentialTest update(long xA, long nA, long xB, long nB, double alpha, double tau) {
        Look look = look(xA, nA, xB, nB, alpha, tau);
        if (look == null) {
            return this;
        }
        return new SequentialTest(n + 1, Math.min(pValue, look.pValue()),
                Math.max(low, look.low()), Math.min(high, look.high()));
    }

    /** Whether the difference is known to be above 0 (the treatment is better) at level α. */
    public boolean above(double alpha) {
        return n > 0 && pValue < alpha && low > 0;
    }

    /** Whether the difference is known to be below 0 (the treatment is worse) at level α. */
    public boolean below(double alpha) {
        return n > 0 && pValue < alpha && high < 0;
    }

    /** Whether the whole confidence sequence lies within ±margin: no difference that matters. */
    public boolean within(double margin) {
        return n > 0 && low > -margin && high < margin;
    }

    /** One look on its own: p-value 1/Λ(0) and the interval {θ : Λ(θ) < 1/α}; null when not computable. */
    public record Look(double difference, double variance, double pValue, double low, double high) {
    }

    public static Look look(long xA, long nA, long xB, long nB, double alpha, double tau) {
        if (nA < MIN_PER_ARM || nB < MIN_PER_ARM) {
            return null;
        }
        double pA = (double) xA / nA;
        double pB = (double) xB / nB;
        double v = pA * (1 - pA) / nA + pB * (1 - pB) / nB;
        if (!(v > 0)) {
            return null;
        }
        double t2 = tau * tau;
        double diff = pB - pA;
        double logLambda = 0.5 * Math.log(v / (v + t2)) + t2 * diff * diff / (2 * v * (v + t2));
        double p = Math.min(1.0, Math.exp(-logLambda));
        double half = Math.sqrt(v * (v + t2) / t2 * (2 * Math.log(1 / alpha) + Math.log((v + t2) / v)));
        return new Look(diff, v, p, diff - half, diff + half);
    }
}
