package io.flowgate.analytics.functions;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for a broadcast table snapshot stream (alert rules, inventory): none until the first snapshot
 * arrived, then idle for good. A broadcast-connected operator's event time is the minimum over its inputs
 * that are not idle, so its timers wait for the first snapshot (an alert is never evaluated against no
 * rules just because the database answered after Kafka), and from then on only the events decide.
 *
 * <p>Idle, never {@code Long.MAX_VALUE}: an input at MAX is still an active input, and once the event
 * input goes quiet (or is marked idle) the operator's event time would jump to MAX, fire every timer at
 * once and never fire one again. An idle input takes no part at all: when the event input is idle too the
 * operator is idle and its event time simply stays. Later snapshots are records, which do not end idleness
 * in Flink (only a watermark does, {@code WatermarkToDataOutput}), so they change nothing about event time;
 * the snapshot record is emitted before the generator sees it, so it is in broadcast state before the
 * first timer can fire.
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
                output.markIdle();
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (loaded) {
                output.markIdle();
            }
        }
    }
}
