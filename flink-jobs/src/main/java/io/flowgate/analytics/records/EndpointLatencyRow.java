package io.flowgate.analytics.records;

/** One {@code endpoint_latency} row, upserted on (screen, action, minute). Latencies in milliseconds. */
public record EndpointLatencyRow(String screen, String action, long minute, long requests, long errors,
                                 double p50Ms, double p90Ms, double p95Ms, double p99Ms, double maxMs) {

    public static EndpointLatencyRow of(MinuteLatency m) {
        LatencyStats s = m.stats();
        return new EndpointLatencyRow(m.screen(), m.action(), m.minute(), s.requests(), s.errors(),
                s.percentileMillis(50), s.percentileMillis(90), s.percentileMillis(95), s.percentileMillis(99),
                s.maxMillis());
    }
}
