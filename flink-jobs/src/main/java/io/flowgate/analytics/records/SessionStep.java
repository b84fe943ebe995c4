package io.flowgate.analytics.records;

/**
 * The part of a {@code flow_transition} event that analytics use, flattened so that Flink serializes it
 * as a POJO (no maps, millisecond timestamps) and keeps per-session state small.
 *
 * @param eventTime        event time, epoch milliseconds
 * @param sessionStartedAt session start, epoch milliseconds: the cohort is its UTC hour
 * @param toScreen         the screen (or chat state) answered; {@code SUCCESS} on completion
 * @param itemId           the inventory item selected with this step, or null
 * @param budget           the budget answered with this step (as sent), or null
 * @param industry         the industry answered with this step, or null
 * @param timeline         the purchase timeline answered with this step, or null
 * @param flowVersion      the Flow version the session started on; 0 when the event carries none
 * @param action           the transition's action ({@code INIT}, {@code data_exchange}, {@code BACK}, ...); empty when unknown
 * @param experimentId     the routing experiment the session is in, or null (then {@code variant} is null too)
 * @param variant          the session's variant of {@code experimentId}, or null
        int flowVersion,
        String action,
        String experimentId,
        String variant) {
 */
public record SessionStep(
        String eventId,
        long eventTime,
        String flowId,
        String sessionId,
        String userId,
        long sessionStartedAt,
        String toScreen,
        boolean completed,
        String source,
        String itemId,
        String budget,
        String industry,
        String timeline,
        int flowVersion,
        String action,
        String experimentId,
        String variant) {

    /** The screen name Flowgate answers when a Flow completes; it is not a screen of the funnel. */
    public static final String SUCCESS = "SUCCESS";

    /** A step without a recorded Flow version or action, outside any experiment. */
    public SessionStep(String eventId, long eventTime, String flowId, String sessionId, String userId,
                       long sessionStartedAt, String toScreen, boolean completed, String source, String itemId,
                       String budget, String industry, String timeline) {
        this(eventId, eventTime, flowId, sessionId, userId, sessionStartedAt, toScreen, completed, source, itemId,
                budget, industry, timeline, 0, "", null, null);
    }

    /** The funnel screen this step reaches, or null when it reaches none (a bare completion). */
    public String reachedScreen() {
        if (toScreen == null || toScreen.isBlank() || SUCCESS.equals(toScreen)) {
            return null;
        }
        return toScreen;
    }
}
