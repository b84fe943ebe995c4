package io.flowgate.analytics.records;

/**
 * A change to the counters of one {@code screen_dropoff} row, emitted by the session tracker as a
 * session progresses. Deltas are summed per (flow, Flow version, cohort, screen) into
 * {@code screen_dropoff_by_version}'s absolute counts; that counter passes on the sum of what changed since its
 * last write, once per watermark advance, as one delta of the coarser row (same fields, {@link #time} set), and
 * those are summed per (flow, cohort, screen) into {@code screen_dropoff}'s.
 *
 * @param cohortStart the UTC hour the session started in, epoch milliseconds ({@code SessionTracker.cohortHour})
 * @param flowVersion the Flow version the session started on; 0 when unknown
 * @param time        event time of the (latest) change it sums, epoch milliseconds; {@link #RECORD_TIME} when it
 *                    is the record's own timestamp (the session tracker's deltas)
 */
public record ScreenDelta(String flowId, long cohortStart, String screen, String source,
                          int reached, int dropped, int completed, int flowVersion, long time) {

    /** {@link #time()} of a delta whose time is the timestamp of the stream record carrying it. */
    public static final long RECORD_TIME = Long.MIN_VALUE;

    /** A session's change, at the record's timestamp. */
    public ScreenDelta(String flowId, long cohortStart, String screen, String source,
                       int reached, int dropped, int completed, int flowVersion) {
        this(flowId, cohortStart, screen, source, reached, dropped, completed, flowVersion, RECORD_TIME);
    }

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
