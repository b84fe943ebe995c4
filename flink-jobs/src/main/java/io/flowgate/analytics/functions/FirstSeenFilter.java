package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Drops redelivered endpoint requests (keyed by event id) so that at-least-once publishing does not count
 * a request twice in {@code endpoint_latency}. An id is remembered until the watermark passes its event
 * time plus one window length: by then its minute window has fired and a copy arriving later is dropped
 * as late by the window anyway.
 */
public final class FirstSeenFilter extends KeyedProcessFunction<String, EndpointCall, EndpointCall> {

    private final long horizon;
    private transient ValueState<Boolean> seen;

    public FirstSeenFilter(Duration horizon) {
        this.horizon = horizon.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
    }

    @Override
    public void processElement(EndpointCall call, Context ctx, Collector<EndpointCall> out) throws Exception {
        if (seen.value() != null) {
            return;
        }
        seen.update(true);
        out.collect(call);
        ctx.timerService().registerEventTimeTimer(call.eventTime() + horizon);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EndpointCall> out) {
        seen.clear();
    }
}
