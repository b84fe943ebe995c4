package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ExperimentDefinition;
import io.flowgate.analytics.records.ExperimentDefinitions;
import io.flowgate.analytics.records.ExperimentInput;
import io.flowgate.analytics.records.ExperimentResultRow;
import io.flowgate.analytics.records.ExperimentScreenRow;
import io.flowgate.analytics.records.LatencyStats;
import io.flowgate.events.ExperimentGuardrailBreached;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps each experiment's {@link ExperimentBook} (keyed by experiment id) and looks at it once per event-time
 * minute that brought something: session starts and ends from the session tracker, endpoint requests of
 * the experiment's sessions. The definitions ({@code experiments}, {@code experiment_variants}) are
 * broadcast, re-read while the job runs.
 *
 * <p>Inputs are held per minute until the watermark passes the minute's end and then applied together, and
 * the look happens then: a streaming run and a batch run (where every timer fires at the end, in order) thus
 * take the same looks at the same counts and write the same rows, the same guardrail stops included.
 * Main output: {@code experiment_results} rows; side outputs: {@code experiment_screen_dropoff} rows and
 * guardrail breaches (one per stopped variant, for {@code experiment_guardrail_stops} and
 * {@code flowgate.alerts}).
 */
public final class ExperimentMonitor
        extends KeyedBroadcastProcessFunction<String, ExperimentInput, ExperimentDefinitions, ExperimentResultRow> {

    private static final Logger log = LoggerFactory.getLogger(ExperimentMonitor.class);

    public static final MapStateDescriptor<String, ExperimentDefinitions> DEFINITIONS = new MapStateDescriptor<>(
            "experiment-definitions", Types.STRING, TypeInformation.of(ExperimentDefinitions.class));
    public static final OutputTag<ExperimentScreenRow> SCREENS =
            new OutputTag<>("experiment-screens", TypeInformation.of(ExperimentScreenRow.class));
    public static final OutputTag<ExperimentGuardrailBreached> BREACHES =
            new OutputTag<>("experiment-breaches", TypeInformation.of(ExperimentGuardrailBreached.class));
    private static final String CURRENT = "current";
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();

    private transient MapState<Long, List<ExperimentInput>> pendingSessions;
    private transient MapState<String, LatencyStats> pendingRequests;
    private transient MapState<String, LatencyStats> requests;
    private transient ValueState<ExperimentBook> book;

    @Override
    public void open(OpenContext openContext) {
        pendingSessions = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-sessions",
                Types.LONG, Types.LIST(TypeInformation.of(ExperimentInput.class))));
        pendingRequests = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-requests",
                Types.STRING, TypeInformation.of(LatencyStats.class)));
        requests = getRuntimeContext().getMapState(new MapStateDescriptor<>("requests",
                Types.STRING, TypeInformation.of(LatencyStats.class)));
        book = getRuntimeContext().getState(new ValueStateDescriptor<>("book", ExperimentBook.class));
    }

    @Override
    public void processElement(ExperimentInput input, ReadOnlyContext ctx, Collector<ExperimentResultRow> out)
            throws Exception {
        long minuteEnd = Math.floorDiv(ctx.timestamp(), MINUTE) * MINUTE + MINUTE - 1;
        if (ExperimentInput.REQUEST.equals(input.kind())) {
            String key = pendingKey(minuteEnd, input.variant());
            LatencyStats stats = pendingRequests.get(key);
            pendingRequests.put(key, (stats == null ? new LatencyStats() : stats).add(input.latencyMicros(), input.error()));
        } else {
            List<ExperimentInput> due = pendingSessions.get(minuteEnd);
            if (due == null) {
                due = new ArrayList<>(1);
            }
            due.add(input);
            pendingSessions.put(minuteEnd, due);
        }
        // the minute is looked at when the watermark passes it; in a bounded run at its end, like the rest
        ctx.timerService().registerEventTimeTimer(minuteEnd);
    }

    @Override
    public void processBroadcastElement(ExperimentDefinitions definitions, Context ctx,
                                        Collector<ExperimentResultRow> out) throws Exception {
        ctx.getBroadcastState(DEFINITIONS).put(CURRENT, definitions);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ExperimentResultRow> out) throws Exception {
        ExperimentBook current = book.value();
        if (current == null) {
            current = new ExperimentBook();
        }
        List<ExperimentInput> due = pendingSessions.get(timestamp);
        if (due != null) {
            pendingSessions.remove(timestamp);
            due.forEach(current::add);
        }
        String prefix = timestamp + "|";
        List<String> applied = new ArrayList<>();
        for (Map.Entry<String, LatencyStats> e : pendingRequests.entries()) {
            if (e.getKey().startsWith(prefix)) {
                String variant = e.getKey().substring(prefix.length());
                LatencyStats total = requests.get(variant);
                requests.put(variant, total == null ? e.getValue().copy() : total.merge(e.getValue()));
                current.variants.computeIfAbsent(variant, v -> new ExperimentBook.Tally());
                applied.add(e.getKey());
            }
        }
        for (String key : applied) {
            pendingRequests.remove(key);
        }

        String experimentId = ctx.getCurrentKey();
        ExperimentDefinitions all = ctx.getBroadcastState(DEFINITIONS).get(CURRENT);
        ExperimentDefinition definition = all == null ? null : all.experiments().get(experimentId);
        Map<String, LatencyStats> latency = new HashMap<>();
        for (Map.Entry<String, LatencyStats> e : requests.entries()) {
            latency.put(e.getKey(), e.getValue());
        }
        ExperimentBook.Evaluation evaluation = current.evaluate(experimentId, definition, latency, timestamp + 1);
        book.update(current);
        evaluation.results().forEach(out::collect);
        evaluation.screens().forEach(row -> ctx.output(SCREENS, row));
        for (ExperimentGuardrailBreached breach : evaluation.breaches()) {
            log.warn("experiment {}: variant {} breached the {} guardrail ({} against {}, {} measured): stopping it",
                    experimentId, breach.variant(), breach.guardrail(), breach.observed(), breach.threshold(),
                    breach.sampleSize());
            ctx.output(BREACHES, breach);
        }
    }

    private static String pendingKey(long minuteEnd, String variant) {
        return minuteEnd + "|" + variant;
    }
}
