package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.analytics.records.TopicEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits the transitions topic into session steps (main output) and endpoint requests (side output).
 * Heartbeats end here: they have moved the source's watermark, and change no table.
 */
public final class SplitByKind extends ProcessFunction<TopicEvent, SessionStep> {

    public static final OutputTag<EndpointCall> ENDPOINT_CALLS =
            new OutputTag<>("endpoint-calls", TypeInformation.of(EndpointCall.class));

    @Override
    public void processElement(TopicEvent event, Context ctx, Collector<SessionStep> out) {
        if (event.step() != null) {
            out.collect(event.step());
        } else if (event.call() != null) {
            ctx.output(ENDPOINT_CALLS, event.call());
        }
    }
}
