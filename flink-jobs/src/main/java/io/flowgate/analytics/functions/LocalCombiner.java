package io.flowgate.analytics.functions;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Combines records per key in the upstream subtask, before their keyed exchange, so that a few partial aggregates
 * cross the network instead of one record each: chained to the operator that emits them (forward, same
 * parallelism), it keeps one accumulator per key in a plain map and emits them all, then forgets them,
 * <ul>
 *   <li>on each watermark, <em>before</em> passing the watermark on: downstream sees every partial before the
 *   watermark that follows the records it sums, as it saw the records before;</li>
 *   <li>before each checkpoint barrier ({@link #prepareSnapshotPreBarrier}): nothing is buffered when the operator's
 *   state is snapshotted, so it has none, and a restore from that checkpoint neither loses nor doubles a record
 *   (the records after the barrier are replayed, those before it are in the downstream operators' state);</li>
 *   <li>at the end of the input ({@link #endInput}, and {@link #finish});</li>
 *   <li>when it holds {@code maxKeys} keys (a long batch range, many cohorts): partial aggregates are still
 *   aggregates, only more of them.</li>
 * </ul>
 * The downstream keyed operator must add partial aggregates the way it adds single records (sums, maxima, merged
 * histograms), so its state, hence its rows, are the same whether a record came alone or combined. Emitted
 * records carry the latest timestamp of the records they sum.
 *
 * @param <IN>  what the upstream operator emits
 * @param <ACC> the mutable accumulator of one key
 * @param <OUT> what is sent to the keyed exchange
 */
public final class LocalCombiner<IN, ACC, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {

    /** How to combine: the key, a new accumulator, adding a record, and the record an accumulator becomes. */
    public interface Combine<IN, ACC, OUT> extends Serializable {
        Object key(IN in);

        ACC create(IN in);

        /** Adds {@code in}, whose stream record had {@code timestamp} ({@code null} if none), to {@code acc}. */
        void add(ACC acc, IN in, Long timestamp);

        OUT result(ACC acc);
    }

    private static final Logger log = LoggerFactory.getLogger(LocalCombiner.class);

    private final Combine<IN, ACC, OUT> combine;
    private final int maxKeys;

    private transient Map<Object, Partial<ACC>> partials;
    private transient long recordsIn;
    private transient long recordsOut;

    public LocalCombiner(Combine<IN, ACC, OUT> combine, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive");
        }
        this.combine = combine;
        this.maxKeys = maxKeys;
    }

    @Override
    public void open() throws Exception {
        super.open();
        partials = new LinkedHashMap<>();
    }

    @Override
    public void processElement(StreamRecord<IN> element) {
        IN in = element.getValue();
        recordsIn++;
        Object key = combine.key(in);
        Partial<ACC> partial = partials.get(key);
        if (partial == null) {
            if (partials.size() >= maxKeys) {
                flush();
            }
            partial = new Partial<>(combine.create(in));
            partials.put(key, partial);
        }
        Long timestamp = element.hasTimestamp() ? element.getTimestamp() : null;
        combine.add(partial.acc, in, timestamp);
        if (timestamp != null) {
            partial.timestamp = Math.max(partial.timestamp, timestamp);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        log.info("{} (subtask {}) combined {} records into {} at the end of its input",
                getOperatorName(), getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), recordsIn, recordsOut);
        super.finish();
    }

    private void flush() {
        if (partials == null || partials.isEmpty()) {
            return;
        }
        recordsOut += partials.size();
        for (Partial<ACC> partial : partials.values()) {
            OUT out = combine.result(partial.acc);
            output.collect(partial.timestamp == Long.MIN_VALUE
                    ? new StreamRecord<>(out) : new StreamRecord<>(out, partial.timestamp));
        }
        partials.clear();
    }

    private static final class Partial<ACC> {
        final ACC acc;
        long timestamp = Long.MIN_VALUE;

        Partial(ACC acc) {
            this.acc = acc;
        }
    }
}
