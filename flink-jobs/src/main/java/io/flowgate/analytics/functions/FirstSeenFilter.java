package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Drops redelivered endpoint requests so that at-least-once publishing does not count a request twice in
 * {@code endpoint_latency}. The ids are kept per bucket ({@link #KEY}: the minute of the request's event time and
 * one of {@value #BUCKETS} hash buckets of its id; a redelivered copy has the same id and time, so it lands in the
 * same bucket), and a bucket is forgotten as a whole, by one timer, when the watermark passes the end of its minute
 * plus the horizon: by then its minute window has fired and a copy arriving later is dropped as late by the
 * window anyway. One timer per bucket and minute instead of one per request (issue 12).
 *
 * <p>State written by the version that kept one flag per request ({@code seen}, keyed by the id) is restored with
 * its timers, which clear it; a copy of such a request arriving after the upgrade is not recognised.
 */
public final class FirstSeenFilter extends KeyedProcessFunction<String, EndpointCall, EndpointCall> {

    /** Buckets per minute: enough to spread one minute's requests over the subtasks (128 key groups by default). */
    static final int BUCKETS = 64;
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();

    /** The bucket of a request: its event time's minute (epoch minutes) and a hash bucket of its id. */
    public static final KeySelector<EndpointCall, String> KEY = FirstSeenFilter::bucket;

    private final long horizon;
    private transient MapState<String, Boolean> seen;
    private transient ValueState<Boolean> seenBefore;

    public FirstSeenFilter(Duration horizon) {
        this.horizon = horizon.toMillis();
    }

    static String bucket(EndpointCall call) {
        return Math.floorDiv(call.eventTime(), MINUTE) + "/" + (call.eventId().hashCode() & (BUCKETS - 1));
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getMapState(new MapStateDescriptor<>("seen-ids", Types.STRING, Types.BOOLEAN));
        seenBefore = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
    }

    @Override
    public void processElement(EndpointCall call, Context ctx, Collector<EndpointCall> out) throws Exception {
        boolean first = seen.isEmpty();
        if (!first && seen.contains(call.eventId())) {
            return;
        }
        seen.put(call.eventId(), true);
        out.collect(call);
        if (first) {
            ctx.timerService().registerEventTimeTimer((Math.floorDiv(call.eventTime(), MINUTE) + 1) * MINUTE + horizon);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EndpointCall> out) {
        seen.clear();
        seenBefore.clear();
    }
}
