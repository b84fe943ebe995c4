package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.analytics.records.MinuteLatency;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Labels a minute window's {@link LatencyStats} with its (screen, action) key and minute. */
public final class MinuteLatencyWindow extends ProcessWindowFunction<LatencyStats, MinuteLatency, Tuple2<String, String>, TimeWindow> {

    @Override
    public void process(Tuple2<String, String> key, Context context, Iterable<LatencyStats> stats, Collector<MinuteLatency> out) {
        for (LatencyStats s : stats) {
            out.collect(new MinuteLatency(key.f0, key.f1, context.window().getStart(), s));
        }
    }
}
