package io.flowgate.analytics.functions;

/**
 * The timer trick shared by the keyed aggregates that write to PostgreSQL: a timer one millisecond past
 * the current watermark fires at the next watermark advance, so a key that changes many times between two
 * watermarks is written once. In batch mode the watermark is at its minimum until the end of the input,
 * so each key is written once, at the end.
 */
final class Coalescing {

    private Coalescing() {
    }

    static long nextWatermarkTick(long currentWatermark) {
        return currentWatermark == Long.MAX_VALUE ? Long.MAX_VALUE : currentWatermark + 1;
    }
}
