package io.flowgate.simulator.report;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request the simulator makes, by kind ({@code "flow data_exchange WELCOME"}, {@code "webhook
 * message"}, ...): its latency as seen by the caller, in an HdrHistogram per kind, and its errors by
 * kind (an HTTP status nobody expected, or the exception). Many threads record at once; the progress
 * line reads the last second, the final table the whole run.
 */
public final class Measurements {

    /** Latencies are recorded in microseconds up to two minutes, to 2 significant digits (within 1 %). */
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(2);
    private static final int DIGITS = 2;

    private final ConcurrentMap<String, Kind> kinds = new ConcurrentHashMap<>();
    private final Recorder lastInterval = new Recorder(MAX_MICROS, DIGITS);
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();

    private static final class Kind {
        final Histogram latency = new ConcurrentHistogram(MAX_MICROS, DIGITS);
        final LongAdder count = new LongAdder();
        final ConcurrentMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    }

    /** A request that got the answer it should have. */
    public void ok(String kind, long latencyNanos) {
        record(kind, latencyNanos);
    }

    /**
     * A request that failed: {@code error} is what went wrong ({@code "HTTP 503"}, {@code "timeout"},
     * an exception's simple name). {@code latencyNanos} is negative when no answer came at all.
     */
    public void error(String kind, long latencyNanos, String error) {
        Kind k = record(kind, latencyNanos);
        k.errors.computeIfAbsent(error, e -> new LongAdder()).increment();
        errors.increment();
    }

    private Kind record(String kind, long latencyNanos) {
        Kind k = kinds.computeIfAbsent(kind, name -> new Kind());
        k.count.increment();
        requests.increment();
        if (latencyNanos >= 0) {
            long micros = Math.min(MAX_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
            k.latency.recordValue(micros);
            lastInterval.recordValue(micros);
        }
        return k;
    }

    public long requests() {
        return requests.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** The latencies recorded since the previous call (for the once-a-second progress line). */
    Histogram takeInterval() {
        return lastInterval.getIntervalHistogram();
    }

    /** One row per kind, by name. */
    List<KindSummary> summaries(double elapsedSeconds) {
        List<KindSummary> out = new ArrayList<>();
        new TreeMap<>(kinds).forEach((name, k) -> {
            Histogram h = k.latency.copy();
            long errorCount = k.errors.values().stream().mapToLong(LongAdder::sum).sum();
            out.add(new KindSummary(name, k.count.sum(), errorCount, k.count.sum() / Math.max(elapsedSeconds, 1e-3),
                    millis(h, 50), millis(h, 90), millis(h, 99), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0));
        });
        return out;
    }

    /** Errors as {@code "kind: error" -> count}, by name. */
    Map<String, Long> errorsByKind() {
        Map<String, Long> out = new TreeMap<>();
        kinds.forEach((name, k) -> k.errors.forEach((error, n) -> out.put(name + ": " + error, n.sum())));
        return out;
    }

    /**
     * How a failed call counts in the errors table: {@code "timeout"}, or the exception's simple name
     * (its message only for a bare {@link IOException}, whose name alone says nothing).
     */
    public static String errorName(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpTimeoutException) {
            return "timeout";
        }
        return cause.getClass() == IOException.class ? "IOException: " + cause.getMessage() : cause.getClass().getSimpleName();
    }

    static double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** A row of the final table. Latencies in milliseconds. */
    public record KindSummary(String kind, long requests, long errors, double perSecond,
                              double p50, double p90, double p99, double max) {
    }
}
