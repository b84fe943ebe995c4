package io.flowgate.analytics.records;

/**
 * A change to the counters of one {@code screen_dropoff} row, emitted by the session tracker as a
 * session progresses. Deltas are summed per (flow, cohort, screen) into absolute counts.
 *
 * @param cohortStart the UTC hour the session started in, epoch milliseconds
 */
public record ScreenDelta(String flowId, long cohortStart, String screen, String source,
                          int reached, int dropped, int completed) {

    /** The key of the {@code screen_dropoff} row this delta changes. */
    public String rowKey() {
        return flowId + '\u001f' + cohortStart + '\u001f' + screen;
    }
}
