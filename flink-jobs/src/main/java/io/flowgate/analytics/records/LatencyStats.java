package io.flowgate.analytics.records;

import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Request count, error count, exact maximum and an HdrHistogram of latencies (microseconds) for a set of
 * endpoint requests. Two significant digits keep every percentile within 0.8 % of the exact value while
 * an auto-resizing histogram of typical endpoint latencies stays a few kilobytes. Mutable: it is the
 * accumulator of the minute windows and the unit the alert evaluator merges.
 *
 * <p>Flink serializes it with {@link LatencyStatsSerializer} (the histogram in its compressed encoding)
 * instead of Kryo, so checkpoints stay small and readable across upgrades.
 */
@TypeInfo(LatencyStatsTypeInfo.Factory.class)
public final class LatencyStats {

    static final int SIGNIFICANT_DIGITS = 2;

    private long requests;
    private long errors;
    private long maxMicros;
    private final Histogram histogram;

    public LatencyStats() {
        this(0, 0, 0, newHistogram());
    }

    LatencyStats(long requests, long errors, long maxMicros, Histogram histogram) {
        this.requests = requests;
        this.errors = errors;
        this.maxMicros = maxMicros;
        this.histogram = histogram;
    }

    static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /** Records one request. Negative latencies (clock trouble at the producer) count as zero. */
    public LatencyStats add(long latencyMicros, boolean error) {
        long value = Math.max(0, latencyMicros);
        requests++;
        if (error) {
            errors++;
        }
        maxMicros = Math.max(maxMicros, value);
        histogram.recordValue(value);
        return this;
    }

    /** Adds {@code other}'s requests to this one; returns this. */
    public LatencyStats merge(LatencyStats other) {
        requests += other.requests;
        errors += other.errors;
        maxMicros = Math.max(maxMicros, other.maxMicros);
        histogram.add(other.histogram);
        return this;
    }

    public LatencyStats copy() {
        return new LatencyStats(requests, errors, maxMicros, histogram.copy());
    }

    public long requests() {
        return requests;
    }

    public long errors() {
        return errors;
    }

    /** errors / requests; 0 when there were no requests. */
    public double errorRate() {
        return requests == 0 ? 0.0 : (double) errors / requests;
    }

    /**
     * The nearest-rank percentile in milliseconds: the smallest latency such that at least {@code percentile} %
     * of the requests took no longer (within the histogram's 0.8 % resolution).
     */
    public double percentileMillis(double percentile) {
        if (requests == 0) {
            return 0.0;
        }
        return Math.min(histogram.getValueAtPercentile(percentile), maxMicros) / 1000.0;
    }

    /**
     * The {@code rank}-th smallest recorded value in milliseconds (1 = the smallest; clamped to 1..requests),
     * within the histogram's resolution; 0 when nothing was recorded. Lets a caller place values it keeps
     * outside the histogram (e.g. censored ones above all recorded) and still read exact nearest ranks.
     */
    public double rankMillis(long rank) {
        if (requests == 0) {
            return 0.0;
        }
        long r = Math.max(1, Math.min(rank, requests));
        // half a rank below r: the histogram rounds the count at a percentile up, so this lands exactly on r
        return Math.min(histogram.getValueAtPercentile(100.0 * (r - 0.5) / requests), maxMicros) / 1000.0;
    }

    public double maxMillis() {
        return maxMicros / 1000.0;
    }

    long maxMicros() {
        return maxMicros;
    }

    Histogram histogram() {
        return histogram;
    }

    @Override
    public String toString() {
        return "LatencyStats{requests=" + requests + ", errors=" + errors + ", maxMicros=" + maxMicros + '}';
    }
}
