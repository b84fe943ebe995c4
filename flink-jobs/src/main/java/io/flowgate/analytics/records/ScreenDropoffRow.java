package io.flowgate.analytics.records;

/**
 * One {@code screen_dropoff} row with absolute counts, upserted on (flow_id, cohort_start, screen), or one
 * {@code screen_dropoff_by_version} row, upserted on (flow_id, flow_version, cohort_start, screen).
 *
 * @param updatedAt   event time of the latest change, epoch milliseconds
 * @param flowVersion the Flow version of the row's sessions (0: unknown); {@code screen_dropoff} does not store it
 */
public record ScreenDropoffRow(String flowId, long cohortStart, String screen, String source,
                               long reached, long dropped, long completed, long updatedAt, int flowVersion) {

    public ScreenDropoffRow(String flowId, long cohortStart, String screen, String source, long reached, long dropped,
                            long completed, long updatedAt) {
        this(flowId, cohortStart, screen, source, reached, dropped, completed, updatedAt, 0);
    }

    /** dropped / reached; 0 while nothing reached the screen. */
    public double dropRate() {
        return reached == 0 ? 0.0 : (double) dropped / reached;
    }
}
