package io.flowgate.analytics.records;

/**
 * One {@code screen_dropoff} row with absolute counts, upserted on (flow_id, cohort_start, screen).
 *
 * @param updatedAt event time of the latest change, epoch milliseconds
 */
public record ScreenDropoffRow(String flowId, long cohortStart, String screen, String source,
                               long reached, long dropped, long completed, long updatedAt) {

    /** dropped / reached; 0 while nothing reached the screen. */
    public double dropRate() {
        return reached == 0 ? 0.0 : (double) dropped / reached;
    }
}
