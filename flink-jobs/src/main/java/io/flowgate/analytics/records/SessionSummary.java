package io.flowgate.analytics.records;

/**
 * What the lead score needs to know about one session, emitted by the session tracker when it changes, at
 * most once per session and watermark advance (the latest; in batch mode once per session). Every field is derived idempotently (sets, flags, maxima), so duplicated transitions do not
 * change it.
 *
 * @param startedAt       session start, epoch milliseconds
 * @param lastEventTime   latest transition the funnel counted (none after the session went stale), epoch milliseconds
 * @param lastActivityAt  latest transition of the session, also one after it went stale, epoch milliseconds
 * @param screensReached  distinct funnel screens reached
 * @param stale           the session went stale (dropped)
 * @param staleAt         when it went stale ({@code lastEventTime} + stale-after), epoch milliseconds; 0 if not stale
 * @param reengaged       the user came back to this session after it went stale
 * @param budget          the latest budget answered in the session, or null (likewise industry, timeline)
 */
public record SessionSummary(
        String userId,
        String sessionId,
        String flowId,
        long startedAt,
        long lastEventTime,
        long lastActivityAt,
        int screensReached,
        boolean completed,
        boolean stale,
        long staleAt,
        boolean reengaged,
        String budget,
        String industry,
        String timeline) {

    /**
     * The session's latest activity. A summary restored from a savepoint taken before {@code lastActivityAt}
     * existed reads 0 there: its last counted transition is then the latest activity known.
     */
    public long latestActivity() {
        return Math.max(lastActivityAt, lastEventTime);
    }

    /**
     * When the session went stale (meaningful when {@code stale}). A summary restored from before
     * {@code staleAt} existed reads 0 there: its last transition is then the closest bound known.
     */
    public long wentStaleAt() {
        return staleAt > 0 ? staleAt : lastEventTime;
    }
}
