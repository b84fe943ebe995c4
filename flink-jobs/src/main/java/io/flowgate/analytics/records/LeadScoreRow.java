package io.flowgate.analytics.records;

import java.util.List;

/**
 * One {@code lead_scores} row, upserted on wa_id.
 *
 * @param reasons   the model's contributions, human-readable, in the order they were applied
 * @param updatedAt event time of the latest session change, epoch milliseconds
 */
public record LeadScoreRow(String waId, int score, String tier, List<String> reasons,
                           int sessions, int completedSessions, int staleSessions, long updatedAt) {
}
