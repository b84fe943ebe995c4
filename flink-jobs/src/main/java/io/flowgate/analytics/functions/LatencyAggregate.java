package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import io.flowgate.analytics.records.LatencyStats;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds a window's endpoint requests into one {@link LatencyStats}: O(1) state per window, not a list of requests. */
public final class LatencyAggregate implements AggregateFunction<EndpointCall, LatencyStats, LatencyStats> {

    @Override
    public LatencyStats createAccumulator() {
        return new LatencyStats();
    }

    @Override
    public LatencyStats add(EndpointCall call, LatencyStats stats) {
        return stats.add(call.latencyMicros(), call.error());
    }

    @Override
    public LatencyStats getResult(LatencyStats stats) {
        return stats;
    }

    @Override
    public LatencyStats merge(LatencyStats a, LatencyStats b) {
        return a.merge(b);
    }
}
