package io.flowgate.analytics.records;

/**
 * A change to the counters of one {@code screen_dropoff} row, emitted by the session tracker as a
 * session progresses. Deltas are summed per (flow, cohort, screen) into absolute counts, and per (flow, Flow
 * version, cohort, screen) into {@code screen_dropoff_by_version}'s.
 *
 * @param cohortStart the UTC hour the session started in, epoch milliseconds ({@code SessionTracker.cohortHour})
 * @param flowVersion the Flow version the session started on; 0 when unknown
 */
public record ScreenDelta(String flowId, long cohortStart, String screen, String source,
                          int reached, int dropped, int completed, int flowVersion) {

    /** A delta of a session without a recorded Flow version. */
    public ScreenDelta(String flowId, long cohortStart, String screen, String source, int reached, int dropped, int completed) {
        this(flowId, cohortStart, screen, source, reached, dropped, completed, 0);
    }

    /** The key of the {@code screen_dropoff} row this delta changes. */
    public String rowKey() {
        return flowId + '\u001f' + cohortStart + '\u001f' + screen;
    }

    /** The key of the {@code screen_dropoff_by_version} row this delta changes. */
    public String versionRowKey() {
        return flowId + '\u001f' + flowVersion + '\u001f' + cohortStart + '\u001f' + screen;
    }
}
