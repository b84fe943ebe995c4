package io.flowgate.analytics.functions;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for a broadcast table snapshot stream (alert rules, inventory): none until the first
 * snapshot arrived, then "end of time". A broadcast-connected operator's event time is the minimum of its
 * two inputs, so its timers wait for the first snapshot (an alert is never evaluated against no rules just
 * because the database answered after Kafka), and from then on the snapshots never hold event time back.
 */
public final class ReferenceDataWatermarks<T> implements WatermarkStrategy<T> {

    @Override
    public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        return new Generator<>();
    }

    private static final class Generator<T> implements WatermarkGenerator<T> {
        private boolean loaded;

        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
            if (!loaded) {
                loaded = true;
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (loaded) {
                output.emitWatermark(new Watermark(Long.MAX_VALUE));
            }
        }
    }
}
